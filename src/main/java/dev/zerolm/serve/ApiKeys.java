package dev.zerolm.serve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * The API keys a server accepts, kept as SHA-256 digests. A presented key is hashed and compared with every
 * digest in constant time (MessageDigest.isEqual over equal-length hashes, no early exit), so response times do not
 * reveal how much of a key was right.
 */
public final class ApiKeys {

    private final List<byte[]> digests;

    private ApiKeys(List<byte[]> digests) {
        this.digests = digests;
    }

    /** No keys: every request is allowed (the server then binds to localhost unless told otherwise). */
    public static ApiKeys none() {
        return new ApiKeys(List.of());
    }

    public static ApiKeys of(List<String> keys) {
        List<byte[]> d = new ArrayList<>();
        for (String k : keys) {
            if (k == null || k.isBlank()) throw new IllegalArgumentException("api keys: an empty key is not allowed");
            d.add(sha256(k.strip()));
        }
        return new ApiKeys(List.copyOf(d));
    }

    /** One key per line; blank lines and lines starting with # are skipped. */
    public static List<String> readFile(Path file) throws IOException {
        List<String> keys = new ArrayList<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            String k = line.strip();
            if (!k.isEmpty() && !k.startsWith("#")) keys.add(k);
        }
        if (keys.isEmpty()) throw new IOException(file + ": no API keys in the keys file");
        return keys;
    }

    public boolean required() {
        return !digests.isEmpty();
    }

    /** Whether an Authorization header value ("Bearer KEY") carries one of the keys. */
    public boolean accepts(String authorization) {
        if (!required()) return true;
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        byte[] presented = sha256(authorization.substring(7).strip());
        boolean ok = false;
        for (byte[] d : digests) ok |= MessageDigest.isEqual(d, presented);
        return ok;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }
}
