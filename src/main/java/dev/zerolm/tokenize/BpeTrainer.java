package dev.zerolm.tokenize;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Learns byte-level BPE merges from a corpus. The corpus is split into pieces with GPT-2's pre-tokenizer
 * and each distinct piece is kept once with its count. Starting from the 256 byte tokens (in GPT-2's id order),
 * the most frequent adjacent pair over all pieces is merged into a new token, repeatedly, until the vocabulary
 * has vocabSize - 1 tokens; "&lt;|endoftext|&gt;" takes the last id. Ties between equally frequent pairs go to the
 * smaller left id, then the smaller right id, so training is deterministic.
 */
final class BpeTrainer {

    /** Counts and occurrences of one adjacent pair over all pieces. */
    private static final class PairStats {
        long count;
        int[] words = new int[4]; // indices of pieces that contained the pair when it was counted (may repeat)
        int wordCount;

        void addWord(int word) {
            if (wordCount > 0 && words[wordCount - 1] == word) return;
            if (wordCount == words.length) words = Arrays.copyOf(words, wordCount * 2);
            words[wordCount++] = word;
        }
    }

    /** A heap entry; stale once the pair's count has changed since it was pushed. */
    private record Candidate(long count, int left, int right) {}

    private final int[][] words;   // distinct pieces as token ids, merged in place
    private final int[] lengths;   // live length of each piece
    private final long[] counts;   // how often each piece occurs in the corpus
    private final Map<Long, PairStats> pairs = new HashMap<>();
    private final PriorityQueue<Candidate> heap = new PriorityQueue<>((a, b) ->
            a.count != b.count ? Long.compare(b.count, a.count)
                    : a.left != b.left ? Integer.compare(a.left, b.left) : Integer.compare(a.right, b.right));

    private BpeTrainer(Map<String, long[]> pieceCounts) {
        words = new int[pieceCounts.size()][];
        lengths = new int[words.length];
        counts = new long[words.length];
        int[] idOfByte = new int[256];
        for (int id = 0; id < 256; id++) idOfByte[Gpt2ByteMap.byteOfGpt2Id(id)] = id;
        int w = 0;
        for (Map.Entry<String, long[]> e : pieceCounts.entrySet()) {
            byte[] bytes = e.getKey().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            int[] ids = new int[bytes.length];
            for (int i = 0; i < bytes.length; i++) ids[i] = idOfByte[bytes[i] & 0xFF];
            words[w] = ids;
            lengths[w] = ids.length;
            counts[w] = e.getValue()[0];
            w++;
        }
    }

    static ByteLevelBpe train(String corpus, int vocabSize) {
        if (vocabSize < 257) {
            throw new IllegalArgumentException("BpeTrainer.train: vocabSize " + vocabSize
                    + " must be at least 257 (256 byte tokens + " + ByteLevelBpe.END_OF_TEXT + ")");
        }
        // The order of the pieces does not matter: merges depend only on pair counts and the tie break.
        Map<String, long[]> pieceCounts = new HashMap<>();
        Gpt2PreTokenizer.split(corpus, (start, end) ->
                pieceCounts.computeIfAbsent(corpus.substring(start, end), k -> new long[1])[0]++);
        return new BpeTrainer(pieceCounts).learn(vocabSize);
    }

    private ByteLevelBpe learn(int vocabSize) {
        List<String> tokens = new ArrayList<>();
        Map<String, Integer> idOfToken = new HashMap<>();
        for (int id = 0; id < 256; id++) {
            String token = String.valueOf(Gpt2ByteMap.toChar(Gpt2ByteMap.byteOfGpt2Id(id)));
            tokens.add(token);
            idOfToken.put(token, id);
        }
        List<String[]> merges = new ArrayList<>();

        for (int w = 0; w < words.length; w++) addPairs(w, 1, null);
        for (Map.Entry<Long, PairStats> e : pairs.entrySet()) push(e.getKey(), e.getValue().count);

        int[] lastVisit = new int[words.length];
        Arrays.fill(lastVisit, -1);
        Map<Long, Long> delta = new HashMap<>();
        while (tokens.size() < vocabSize - 1 && !heap.isEmpty()) {
            Candidate best = heap.poll();
            long key = PairRankMap.key(best.left, best.right);
            PairStats stats = pairs.get(key);
            if (stats == null || stats.count != best.count) continue; // stale entry
            if (stats.count <= 0) break;

            String merged = tokens.get(best.left) + tokens.get(best.right);
            Integer existing = idOfToken.get(merged); // the same bytes can arise from two different pairs
            int mergedId = existing != null ? existing : tokens.size();
            if (existing == null) {
                tokens.add(merged);
                idOfToken.put(merged, mergedId);
            }
            merges.add(new String[] {tokens.get(best.left), tokens.get(best.right)});

            int rank = merges.size() - 1;
            delta.clear();
            for (int i = 0; i < stats.wordCount; i++) {
                int w = stats.words[i];
                if (lastVisit[w] == rank) continue;
                lastVisit[w] = rank;
                if (!contains(w, best.left, best.right)) continue;
                addPairs(w, -1, delta);
                mergeInWord(w, best.left, best.right, mergedId);
                addPairs(w, +1, delta);
            }
            for (Map.Entry<Long, Long> d : delta.entrySet()) {
                if (d.getValue() == 0) continue;
                PairStats s = pairs.get(d.getKey());
                if (s.count > 0) push(d.getKey(), s.count);
            }
        }
        tokens.add(ByteLevelBpe.END_OF_TEXT);
        return new ByteLevelBpe(tokens.toArray(String[]::new), merges, "BpeTrainer");
    }

    /** Adds sign * count(word) to every adjacent pair of the word, recording the change in delta if given. */
    private void addPairs(int w, int sign, Map<Long, Long> delta) {
        int[] ids = words[w];
        long change = sign * counts[w];
        for (int k = 0; k + 1 < lengths[w]; k++) {
            long key = PairRankMap.key(ids[k], ids[k + 1]);
            PairStats s = pairs.computeIfAbsent(key, x -> new PairStats());
            s.count += change;
            if (sign > 0) s.addWord(w);
            if (delta != null) delta.merge(key, change, Long::sum);
        }
    }

    private boolean contains(int w, int left, int right) {
        int[] ids = words[w];
        for (int k = 0; k + 1 < lengths[w]; k++) if (ids[k] == left && ids[k + 1] == right) return true;
        return false;
    }

    /** Replaces every non-overlapping (left, right), scanning left to right, exactly as encoding will. */
    private void mergeInWord(int w, int left, int right, int merged) {
        int[] ids = words[w];
        int n = lengths[w], out = 0;
        for (int k = 0; k < n; ) {
            if (k + 1 < n && ids[k] == left && ids[k + 1] == right) {
                ids[out++] = merged;
                k += 2;
            } else {
                ids[out++] = ids[k++];
            }
        }
        lengths[w] = out;
    }

    private void push(long key, long count) {
        heap.add(new Candidate(count, (int) (key >>> 32), (int) key));
    }
}
