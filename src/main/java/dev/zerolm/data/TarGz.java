package dev.zerolm.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Extracts a .tar.gz (such as an npm package) with nothing but the JDK: regular files and directories,
 * long names from pax ('x') and GNU ('L') headers; links and other entry types are skipped.
 */
final class TarGz {

    private static final int BLOCK = 512;

    private TarGz() {}

    /** Extracts every regular file under dest and returns their paths in archive order. */
    static List<Path> extract(Path archive, Path dest) throws IOException {
        try (InputStream in = Files.newInputStream(archive)) {
            return extract(in, dest, archive.toString());
        }
    }

    static List<Path> extract(InputStream gzipped, Path dest, String name) throws IOException {
        Path root = dest.toAbsolutePath().normalize();
        Files.createDirectories(root);
        List<Path> files = new ArrayList<>();
        DataInputStream in = new DataInputStream(new GZIPInputStream(new BufferedInputStream(gzipped)));
        byte[] header = new byte[BLOCK];
        String longName = null;
        while (true) {
            try {
                in.readFully(header);
            } catch (EOFException e) {
                throw new IOException(name + ": tar archive ends without its end-of-archive block", e);
            }
            if (isZero(header)) return files;
            long size = octal(header, 124, 12, name);
            char type = (char) header[156];
            String path = longName != null ? longName : entryName(header);
            longName = null;
            switch (type) {
                case 'x' -> longName = paxPath(new String(readBody(in, size), StandardCharsets.UTF_8));
                case 'L' -> longName = trimNul(new String(readBody(in, size), StandardCharsets.UTF_8));
                case '0', '\0' -> {
                    Path target = safeResolve(root, path, name);
                    Files.createDirectories(target.getParent());
                    Files.write(target, readBody(in, size));
                    files.add(target);
                }
                case '5' -> Files.createDirectories(safeResolve(root, path, name));
                default -> readBody(in, size); // links, devices, global pax headers: not needed
            }
        }
    }

    private static byte[] readBody(DataInputStream in, long size) throws IOException {
        if (size > Integer.MAX_VALUE - BLOCK) throw new IOException("tar entry of " + size + " bytes is too large");
        byte[] body = new byte[(int) size];
        in.readFully(body);
        int padding = (int) ((BLOCK - size % BLOCK) % BLOCK);
        in.readFully(new byte[padding]);
        return body;
    }

    private static String entryName(byte[] h) {
        String name = field(h, 0, 100);
        boolean ustar = field(h, 257, 5).equals("ustar");
        String prefix = ustar ? field(h, 345, 155) : "";
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    /** The "path" record of a pax extended header ("LEN path=VALUE\n" records), or null. */
    private static String paxPath(String records) {
        for (String record : records.split("\n")) {
            int space = record.indexOf(' ');
            if (space > 0 && record.startsWith("path=", space + 1)) return record.substring(space + 1 + "path=".length());
        }
        return null;
    }

    private static Path safeResolve(Path root, String entry, String archive) throws IOException {
        Path target = root.resolve(entry).normalize();
        if (!target.startsWith(root) || target.equals(root)) {
            throw new IOException(archive + ": entry '" + entry + "' would be written outside " + root);
        }
        return target;
    }

    private static long octal(byte[] h, int offset, int length, String archive) throws IOException {
        String s = field(h, offset, length).trim();
        if (s.isEmpty()) return 0;
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException(archive + ": bad tar header size field '" + s + "'", e);
        }
    }

    private static String field(byte[] h, int offset, int length) {
        int end = offset;
        while (end < offset + length && h[end] != 0) end++;
        return new String(h, offset, end - offset, StandardCharsets.UTF_8);
    }

    private static String trimNul(String s) {
        int nul = s.indexOf('\0');
        return nul >= 0 ? s.substring(0, nul) : s;
    }

    private static boolean isZero(byte[] block) {
        for (byte b : block) if (b != 0) return false;
        return true;
    }
}
