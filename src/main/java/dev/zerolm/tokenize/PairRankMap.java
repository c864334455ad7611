package dev.zerolm.tokenize;

import java.util.Arrays;

/**
 * Open-addressing hash map from a pair of token ids (left, right) to an int, without boxing: the BPE merge
 * loop asks it for the rank of every adjacent pair, so it has to be cheap.
 */
final class PairRankMap {

    private static final long EMPTY = -1L;

    private long[] keys;
    private int[] values;
    private int size;

    PairRankMap(int expected) {
        int capacity = Integer.highestOneBit(Math.max(16, expected * 2 - 1)) << 1;
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(keys, EMPTY);
    }

    static long key(int left, int right) {
        return ((long) left << 32) | (right & 0xFFFFFFFFL);
    }

    /** The value of (left, right), or -1 when absent. */
    int get(int left, int right) {
        long key = key(left, right);
        int mask = keys.length - 1;
        for (int slot = slot(key, mask); ; slot = (slot + 1) & mask) {
            long k = keys[slot];
            if (k == key) return values[slot];
            if (k == EMPTY) return -1;
        }
    }

    /** Sets the value of (left, right), replacing any earlier one. Ids must be non-negative. */
    void put(int left, int right, int value) {
        if ((size + 1) * 2 > keys.length) grow();
        long key = key(left, right);
        int mask = keys.length - 1;
        for (int slot = slot(key, mask); ; slot = (slot + 1) & mask) {
            if (keys[slot] == key) {
                values[slot] = value;
                return;
            }
            if (keys[slot] == EMPTY) {
                keys[slot] = key;
                values[slot] = value;
                size++;
                return;
            }
        }
    }

    int size() {
        return size;
    }

    private static int slot(long key, int mask) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32)) & mask;
    }

    private void grow() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        keys = new long[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) put((int) (oldKeys[i] >>> 32), (int) oldKeys[i], oldValues[i]);
        }
    }
}
