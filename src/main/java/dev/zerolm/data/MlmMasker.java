package dev.zerolm.data;

import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tokenize.WordPiece;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * BERT's masked-language-model corruption of a batch: each token that is neither special ([CLS], [SEP], ...) nor
 * padding is selected with probability 15%; a selected token becomes [MASK] with probability 80%, a random token
 * with 10%, and stays itself with 10%. Labels hold the original id at selected positions and
 * {@link TokenExample#IGNORE} everywhere else, so only selected tokens are predicted.
 * <p>Random replacements are drawn uniformly from the non-special tokens (Hugging Face draws from the whole
 * vocabulary, which can insert a [PAD] or [CLS] in the middle of a text). When a batch happens to have no selected
 * token, one eligible token is selected anyway, so the loss is never a mean over nothing. Every draw comes from
 * the given {@link Rng}: the same seed masks the same way.
 */
public final class MlmMasker {

    private final int maskId;
    private final boolean[] special;
    private final int[] replacements;    // the ids a random replacement draws from
    private final double selectProbability;

    /**
     * @param vocabSize   ids are in [0, vocabSize)
     * @param maskId      the [MASK] token
     * @param specialIds  tokens never selected nor drawn as replacements ([PAD], [CLS], [SEP], [MASK], [UNK], ...)
     */
    public MlmMasker(int vocabSize, int maskId, int[] specialIds, double selectProbability) {
        if (!(selectProbability > 0 && selectProbability <= 1)) {
            throw new IllegalArgumentException("MlmMasker: selection probability must be in (0, 1], got " + selectProbability);
        }
        if (maskId < 0 || maskId >= vocabSize) {
            throw new IllegalArgumentException("MlmMasker: mask id " + maskId + " is outside the vocabulary [0, " + vocabSize + ")");
        }
        this.maskId = maskId;
        this.special = new boolean[vocabSize];
        for (int id : specialIds) special[id] = true;
        special[maskId] = true;
        List<Integer> normal = new ArrayList<>();
        for (int id = 0; id < vocabSize; id++) if (!special[id]) normal.add(id);
        if (normal.isEmpty()) throw new IllegalArgumentException("MlmMasker: every one of the " + vocabSize + " tokens is special");
        this.replacements = normal.stream().mapToInt(Integer::intValue).toArray();
        this.selectProbability = selectProbability;
    }

    /** BERT's 15% for a WordPiece vocabulary, all of whose special tokens (and [UNK]) are never selected. */
    public static MlmMasker bert(WordPiece tokenizer) {
        List<Integer> specials = new ArrayList<>();
        for (int id = 0; id < tokenizer.vocabSize(); id++) if (tokenizer.isSpecial(id)) specials.add(id);
        return new MlmMasker(tokenizer.vocabSize(), tokenizer.maskId(), specials.stream().mapToInt(Integer::intValue).toArray(), 0.15);
    }

    /** The batch with masked inputs and labels (B, T); its attention mask says which positions are padding. */
    public Batch mask(Batch batch, Rng rng) {
        int[] ids = batch.inputIds().data().clone();
        int[] mask = batch.attentionMask().data();
        int[] labels = new int[ids.length];
        Arrays.fill(labels, TokenExample.IGNORE);
        int selected = 0, eligible = 0;
        for (int i = 0; i < ids.length; i++) {
            if (!isEligible(ids[i], mask[i])) continue;
            eligible++;
            if (rng.nextDouble() >= selectProbability) continue;
            corrupt(ids, labels, i, rng);
            selected++;
        }
        if (selected == 0 && eligible > 0) {
            int pick = rng.nextInt(eligible);
            for (int i = 0; i < ids.length; i++) {
                if (isEligible(ids[i], mask[i]) && pick-- == 0) {
                    corrupt(ids, labels, i, rng);
                    break;
                }
            }
        }
        int[] shape = batch.inputIds().shape();
        return new Batch(IntTensor.of(ids, shape), batch.attentionMask(), IntTensor.of(labels, shape));
    }

    private boolean isEligible(int id, int attention) {
        return attention != 0 && id >= 0 && id < special.length && !special[id];
    }

    private void corrupt(int[] ids, int[] labels, int i, Rng rng) {
        labels[i] = ids[i];
        double r = rng.nextDouble();
        if (r < 0.8) ids[i] = maskId;
        else if (r < 0.9) ids[i] = replacements[rng.nextInt(replacements.length)];
    }
}
