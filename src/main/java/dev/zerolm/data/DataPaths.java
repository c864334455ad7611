package dev.zerolm.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Finds ZeroLM's data directories (brown/, gpt2-bpe/) without configuration. A data root is a directory
 * holding them; roots are searched in this order:
 * <ol>
 *   <li>$ZEROLM_DATA, if set;</li>
 *   <li>~/.cache/zerolm, where {@code zerolm data fetch} puts them;</li>
 *   <li>shared/data in the working directory or any of its parents (so a checkout with ../shared/data works);</li>
 *   <li>shared/data next to the code (the jar or classes directory) or any of its parents.</li>
 * </ol>
 */
public final class DataPaths {

    public static final String ENV_VAR = "ZEROLM_DATA";
    public static final String BROWN = "brown";
    public static final String GPT2_BPE = "gpt2-bpe";

    private final List<Path> roots;
    private final String envNote;

    /** Searches exactly these roots, in order. */
    public DataPaths(List<Path> roots) {
        this(roots, null);
    }

    private DataPaths(List<Path> roots, String envNote) {
        this.roots = List.copyOf(roots);
        this.envNote = envNote;
    }

    /** The roots of this process: environment, home cache, working directory, code location. */
    public static DataPaths system() {
        String env = System.getenv(ENV_VAR);
        Path home = Path.of(System.getProperty("user.home"));
        Path cwd = Path.of("").toAbsolutePath();
        return new DataPaths(roots(env, home, cwd, codeLocation()),
                env == null || env.isBlank() ? "$" + ENV_VAR + " is not set" : null);
    }

    /** The search order described in the class comment, for the given environment and locations. */
    static List<Path> roots(String zerolmData, Path home, Path cwd, Optional<Path> code) {
        Set<Path> roots = new LinkedHashSet<>();
        if (zerolmData != null && !zerolmData.isBlank()) roots.add(Path.of(zerolmData).toAbsolutePath().normalize());
        roots.add(home.resolve(".cache").resolve("zerolm").toAbsolutePath().normalize());
        addSharedDataOfAncestors(roots, cwd);
        code.ifPresent(c -> addSharedDataOfAncestors(roots, c));
        return new ArrayList<>(roots);
    }

    /** Where {@code zerolm data fetch} puts data by default: $ZEROLM_DATA if set, else ~/.cache/zerolm. */
    public static Path defaultCacheDir() {
        String env = System.getenv(ENV_VAR);
        if (env != null && !env.isBlank()) return Path.of(env);
        return Path.of(System.getProperty("user.home"), ".cache", "zerolm");
    }

    /** The data roots searched, in order. */
    public List<Path> roots() {
        return roots;
    }

    /** The NLTK Brown corpus directory (one with cats.txt). */
    public Path brownDir() {
        return require(BROWN, "the Brown corpus", d -> Files.isRegularFile(d.resolve("cats.txt")), "cats.txt");
    }

    /** The directory with GPT-2's encoder.json and vocab.bpe. */
    public Path gpt2BpeDir() {
        return require(GPT2_BPE, "GPT-2's BPE files",
                d -> Files.isRegularFile(d.resolve("encoder.json")) && Files.isRegularFile(d.resolve("vocab.bpe")),
                "encoder.json and vocab.bpe");
    }

    /** The first root/name that passes the check, if any. */
    public Optional<Path> find(String name, Predicate<Path> isComplete) {
        for (Path root : roots) {
            Path dir = root.resolve(name);
            if (Files.isDirectory(dir) && isComplete.test(dir)) return Optional.of(dir);
        }
        return Optional.empty();
    }

    private Path require(String name, String what, Predicate<Path> isComplete, String needs) {
        return find(name, isComplete).orElseThrow(() -> {
            StringBuilder msg = new StringBuilder("Cannot find " + what + ": no " + name + "/ directory with " + needs
                    + " in any of these places:");
            for (Path root : roots) msg.append("\n  ").append(root.resolve(name));
            if (envNote != null) msg.append("\n  (").append(envNote).append(")");
            msg.append("\nRun `zerolm data fetch` to download it into ").append(defaultCacheDir())
                    .append(", or `zerolm data fetch --from DIR` to copy it from a directory holding brown/ and gpt2-bpe/.");
            return new IllegalStateException(msg.toString());
        });
    }

    private static void addSharedDataOfAncestors(Set<Path> roots, Path start) {
        for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
            roots.add(dir.resolve("shared").resolve("data"));
        }
    }

    private static Optional<Path> codeLocation() {
        try {
            var source = DataPaths.class.getProtectionDomain().getCodeSource();
            if (source == null) return Optional.empty();
            Path p = Path.of(source.getLocation().toURI());
            return Optional.of(Files.isRegularFile(p) ? p.getParent() : p);
        } catch (Exception e) { // no code source (e.g. some class loaders): the other roots still apply
            return Optional.empty();
        }
    }
}
