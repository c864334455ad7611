package dev.zerolm.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TarGzTest {

    @Test
    void extractsFilesDirectoriesAndPaxLongNames(@TempDir Path dir) throws IOException {
        String longName = "package/" + "d".repeat(120) + "/file.txt";
        byte[] archive = tarGz(
                entry("package/", '5', ""),
                entry("package/cats.txt", '0', "ca01 news\n"),
                entry("PaxHeader", 'x', paxRecord("path", longName)),
                entry("ignored-short-name", '0', "long"),
                entry("package/link", '2', ""),
                entry("package/empty", '0', ""));
        var files = TarGz.extract(new ByteArrayInputStream(archive), dir, "test.tgz");
        assertThat(files).hasSize(3);
        assertThat(dir.resolve("package/cats.txt")).hasContent("ca01 news");
        assertThat(dir.resolve(longName)).hasContent("long");
        assertThat(dir.resolve("package/empty")).isEmptyFile();
        assertThat(dir.resolve("package/link")).doesNotExist();
    }

    @Test
    void entryEscapingDestinationIsRejected(@TempDir Path dir) throws IOException {
        byte[] archive = tarGz(entry("package/../../evil.txt", '0', "x"));
        assertThatThrownBy(() -> TarGz.extract(new ByteArrayInputStream(archive), dir.resolve("out"), "bad.tgz"))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("bad.tgz").hasMessageContaining("outside");
    }

    /** One ustar entry: a 512-byte header and the body padded to 512 bytes. */
    private static byte[] entry(String name, char type, String body) {
        byte[] data = body.getBytes(StandardCharsets.UTF_8);
        byte[] header = new byte[512];
        put(header, 0, name);
        put(header, 100, "0000644");
        put(header, 124, String.format("%011o", data.length));
        put(header, 136, String.format("%011o", 0));
        header[156] = (byte) type;
        put(header, 257, "ustar");
        put(header, 263, "00");
        for (int i = 148; i < 156; i++) header[i] = ' ';
        int sum = 0;
        for (byte b : header) sum += b & 0xFF;
        put(header, 148, String.format("%06o", sum));
        byte[] out = new byte[512 + (data.length + 511) / 512 * 512];
        System.arraycopy(header, 0, out, 0, 512);
        System.arraycopy(data, 0, out, 512, data.length);
        return out;
    }

    private static String paxRecord(String key, String value) {
        String rest = " " + key + "=" + value + "\n";
        int length = rest.length() + 1;
        while (String.valueOf(length).length() + rest.length() != length) length++;
        return length + rest;
    }

    private static byte[] tarGz(byte[]... entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            for (byte[] e : entries) gz.write(e);
            gz.write(new byte[1024]); // end-of-archive: two zero blocks
        }
        return bytes.toByteArray();
    }

    private static void put(byte[] header, int offset, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(b, 0, header, offset, b.length);
    }
}
