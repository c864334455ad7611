package dev.zerolm.io;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, so tests control every byte a reader sees (good or hostile). */
final class HandWrittenSafetensors {

    private HandWrittenSafetensors() {}

    /** u64 little-endian length of {@code headerJson}, the header, then {@code data}. */
    static Path write(Path file, String headerJson, byte[] data) throws IOException {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return writeRaw(file, header.length, header, data);
    }

    /** Like {@link #write} but with any claimed header length, true or not. */
    static Path writeRaw(Path file, long claimedHeaderLength, byte[] header, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(littleEndianLong(claimedHeaderLength));
        bytes.writeBytes(header);
        bytes.writeBytes(data);
        Files.write(file, bytes.toByteArray());
        return file;
    }

    static byte[] littleEndianLong(long value) {
        return ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array();
    }

    /** Bytes given as unsigned ints, e.g. bytes(0x00, 0x00, 0x80, 0x3F) is 1.0f little-endian. */
    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) out[i] = (byte) values[i];
        return out;
    }

    /** One header entry: "name":{"dtype":..,"shape":[..],"data_offsets":[b,e]}. */
    static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape
                + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }
}
