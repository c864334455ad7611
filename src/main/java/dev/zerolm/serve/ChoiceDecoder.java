package dev.zerolm.serve;

import dev.zerolm.tokenize.Tokenizer;

import java.util.Arrays;
import java.util.List;

/**
 * Turns one choice's generated ids into text as it becomes printable: it waits out half a multi-byte character,
 * holds back a tail that may be the start of a stop string, and ends the choice at the first stop string (which is
 * not included), as OpenAI's API does.
 */
final class ChoiceDecoder {

    private final Tokenizer tokenizer;
    private final List<String> stop;
    private int[] ids = new int[16];
    private int count;
    private final StringBuilder emitted = new StringBuilder();
    private boolean stopped;

    ChoiceDecoder(Tokenizer tokenizer, List<String> stop) {
        this.tokenizer = tokenizer;
        this.stop = stop;
    }

    /** Adds a generated id; returns the text that became final with it (often empty, never null). */
    String accept(int id) {
        if (stopped) throw new IllegalStateException("ChoiceDecoder: the choice already ended at a stop string");
        if (count == ids.length) ids = Arrays.copyOf(ids, 2 * count);
        ids[count++] = id;
        String text = tokenizer.decode(Arrays.copyOf(ids, count));
        if (text.endsWith("\uFFFD")) return ""; // half of a multi-byte character: wait for the rest
        int stopAt = firstStop(text);
        if (stopAt >= 0) stopped = true;
        String upTo = stopAt >= 0 ? text.substring(0, stopAt) : text.substring(0, text.length() - pendingStop(text));
        if (upTo.length() <= emitted.length()) return "";
        String fresh = upTo.substring(emitted.length());
        emitted.append(fresh);
        return fresh;
    }

    /** At the end of a choice that no stop string ended: the tail held back in case one would come. */
    String flush() {
        if (stopped) return "";
        String text = tokenizer.decode(Arrays.copyOf(ids, count));
        if (text.length() <= emitted.length()) return "";
        String rest = text.substring(emitted.length());
        emitted.append(rest);
        return rest;
    }

    boolean stopped() {
        return stopped;
    }

    /** Tokens generated so far (the usage's completion_tokens). */
    int tokenCount() {
        return count;
    }

    String text() {
        return emitted.toString();
    }

    private int firstStop(String text) {
        int best = -1;
        for (String s : stop) {
            int at = s.isEmpty() ? -1 : text.indexOf(s);
            if (at >= 0 && (best < 0 || at < best)) best = at;
        }
        return best;
    }

    /** Length of the longest suffix of text that is a proper prefix of some stop string. */
    private int pendingStop(String text) {
        int longest = 0;
        for (String s : stop) {
            for (int k = Math.min(s.length() - 1, text.length()); k > longest; k--) {
                if (text.endsWith(s.substring(0, k))) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }
}
