package dev.zerolm.tokenize;

/**
 * GPT-2's reversible map between the 256 byte values and 256 visible Unicode characters, so every
 * byte-level BPE token can be written as a printable string in encoder.json and vocab.bpe (a space becomes 'Ġ').
 * Bytes that are already visible Latin-1 characters map to themselves; the other 68 map to U+0100 upwards.
 */
final class Gpt2ByteMap {

    private static final char[] BYTE_TO_CHAR = new char[256];
    private static final int[] CHAR_TO_BYTE = new int[256 + 68]; // -1 where a char is not in the map
    private static final int[] BYTES_IN_GPT2_ORDER = new int[256]; // the order of ids 0..255 in GPT-2's vocabulary

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int visible = 0;
        for (int b = 0; b < 256; b++) {
            if (isVisible(b)) {
                BYTE_TO_CHAR[b] = (char) b;
                BYTES_IN_GPT2_ORDER[visible++] = b;
            }
        }
        int shifted = 0;
        for (int b = 0; b < 256; b++) {
            if (!isVisible(b)) {
                BYTE_TO_CHAR[b] = (char) (256 + shifted++);
                BYTES_IN_GPT2_ORDER[visible++] = b;
            }
        }
        for (int b = 0; b < 256; b++) CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }

    private Gpt2ByteMap() {}

    private static boolean isVisible(int b) {
        return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
    }

    /** The character that stands for byte b (0..255). */
    static char toChar(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /** The byte (0..255) that character c stands for, or -1 if c is not one of the 256 characters. */
    static int toByte(char c) {
        return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
    }

    /** The token string of a byte sequence: one character per byte. */
    static String toTokenString(byte[] bytes) {
        char[] chars = new char[bytes.length];
        for (int i = 0; i < bytes.length; i++) chars[i] = toChar(bytes[i]);
        return new String(chars);
    }

    /** Byte value of the i-th single-byte token in GPT-2's encoder.json: visible bytes first, then the rest. */
    static int byteOfGpt2Id(int id) {
        return BYTES_IN_GPT2_ORDER[id];
    }
}
