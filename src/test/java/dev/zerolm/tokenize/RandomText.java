package dev.zerolm.tokenize;

import java.util.SplittableRandom;

/** Random valid Unicode text (no lone surrogates) drawn from scripts, emoji, marks, digits and whitespace. */
final class RandomText {

    private static final int[][] RANGES = {
            {0x20, 0x7E}, {0x20, 0x7E}, {0x20, 0x7E}, // ASCII, most often
            {0x09, 0x0D}, {0xA0, 0xFF}, {0x100, 0x17F}, {0x300, 0x36F}, {0x391, 0x3C9}, {0x400, 0x44F},
            {0x600, 0x6FF}, {0x2000, 0x206F}, {0x3000, 0x303F}, {0x3040, 0x30FF}, {0x4E00, 0x4FFF},
            {0xAC00, 0xAD00}, {0xE000, 0xE010}, {0xFFF0, 0xFFFD}, {0x1F300, 0x1F6FF}, {0x1F900, 0x1F9FF},
            {0x10000, 0x1007F}, {0xE0000, 0xE007F}, {0x10FFF0, 0x10FFFF},
    };

    private RandomText() {}

    static String unicode(SplittableRandom rng, int codePoints) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int[] range = RANGES[rng.nextInt(RANGES.length)];
            sb.appendCodePoint(rng.nextInt(range[0], range[1] + 1));
        }
        return sb.toString();
    }
}
