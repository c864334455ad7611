package dev.zerolm.serve;

import dev.zerolm.generate.Sampler;
import dev.zerolm.generate.SamplingConfig;

import java.util.Set;

/**
 * One choice while it is generated: its sampler, its text so far and, once it has ended, why. Each step takes the
 * logits of the next position, samples a token and tells the listener what text became final; whoever computes the
 * logits (a request's own loop, or the {@link DecodeBatcher}) drives it, one thread at a time.
 */
final class ChoiceRun {

    private final int index;
    private final int maxTokens;
    private final Sampler sampler;
    private final ChoiceDecoder decoder;
    private final Set<Integer> endIds;
    private int steps;
    private String finishReason;

    ChoiceRun(LanguageModel model, LanguageModel.Params p, int index) {
        this.index = index;
        this.maxTokens = p.maxTokens();
        this.sampler = new Sampler(new SamplingConfig(p.maxTokens(), p.temperature(), 0, p.topP(), p.stop(), p.seed() + index));
        this.decoder = new ChoiceDecoder(model.tokenizer(), p.stop());
        this.endIds = model.endIds();
    }

    /** Samples a token from logits (V) and reports its text; returns the token to feed next, or -1 once the choice has ended. */
    int step(float[] logits, LanguageModel.TokenListener listener) {
        if (finishReason != null) throw new IllegalStateException("choice " + index + " already ended (" + finishReason + ")");
        int id = sampler.next(logits);
        steps++;
        if (endIds.contains(id)) {
            finishReason = "stop";
            listener.onToken(index, decoder.flush());
            return -1;
        }
        listener.onToken(index, decoder.accept(id));
        if (decoder.stopped()) {
            finishReason = "stop";
        } else if (steps == maxTokens) {
            finishReason = "length";
            listener.onToken(index, decoder.flush());
        }
        return finishReason == null ? id : -1;
    }

    int index() {
        return index;
    }

    boolean ended() {
        return finishReason != null;
    }

    /** The finished choice; the token count includes an end token or a token cut at a stop string. */
    LanguageModel.Choice result() {
        int tokens = decoder.tokenCount() + ("stop".equals(finishReason) && !decoder.stopped() ? 1 : 0);
        return new LanguageModel.Choice(decoder.text(), finishReason, tokens);
    }
}
