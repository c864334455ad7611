package dev.zerolm.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs bench/pytorch_reference.py, the same measurements in PyTorch, for --vs-pytorch. PyTorch gets the same
 * thread count and a fair start: OpenBLAS overrides that pin a slower kernel or cache size are removed, and
 * OpenMP threads sleep when idle instead of spinning against ZeroLM's threads.
 */
public final class PyTorchReference {

    /** Where the script lives in the repository. */
    public static final String SCRIPT = "bench/pytorch_reference.py";

    private PyTorchReference() {}

    /**
     * The script: the given path, else bench/pytorch_reference.py under the working directory, else next to the
     * directory holding the jar (target/zerolm.jar -> ./bench/).
     */
    public static Path findScript(Path given) {
        if (given != null) {
            if (!Files.isRegularFile(given)) throw new IllegalArgumentException("bench: PyTorch script " + given + " not found");
            return given;
        }
        List<Path> tried = new ArrayList<>();
        tried.add(Path.of(SCRIPT).toAbsolutePath());
        try {
            Path jar = Path.of(PyTorchReference.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (jar.getParent() != null && jar.getParent().getParent() != null) tried.add(jar.getParent().getParent().resolve(SCRIPT));
        } catch (URISyntaxException | RuntimeException e) {
            // no code source: only the working directory is tried
        }
        for (Path p : tried) if (Files.isRegularFile(p)) return p;
        throw new IllegalArgumentException("bench: " + SCRIPT + " not found (looked at " + tried + "); run from the repository "
                + "root or pass --pytorch-script");
    }

    /** Runs the script for the given row ids; its progress goes to our stderr, its JSON is parsed. */
    public static PyTorchResults run(Path python, Path script, List<String> ids, int threads, TimingPlan plan)
            throws IOException, InterruptedException {
        requirePython(python);
        ProcessBuilder pb = new ProcessBuilder(command(python, script, ids, threads, plan))
                .redirectError(ProcessBuilder.Redirect.INHERIT);
        fairEnvironment(pb.environment(), threads);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        if (code != 0) {
            throw new IOException("bench --vs-pytorch: " + script + " exited with " + code
                    + (code == 3 ? " (torch could not be imported: apt-get install python3-torch)" : "") + "; see its messages above");
        }
        return PyTorchResults.parse(out);
    }

    /** Fails with what to install when python is not there. */
    static void requirePython(Path python) throws IOException {
        if (!Files.isExecutable(python)) {
            throw new IOException("bench --vs-pytorch: " + python + " not found; install Python 3 with PyTorch "
                    + "(Debian: apt-get install python3-torch) or pass --python");
        }
    }

    static List<String> command(Path python, Path script, List<String> ids, int threads, TimingPlan p) {
        return List.of(python.toString(), script.toString(), "--threads", String.valueOf(threads), "--rows", String.join(",", ids),
                "--warmup", String.valueOf(p.warmupSteps()), "--steps", String.valueOf(p.timedSteps()),
                "--min-warmup-seconds", String.format(Locale.ROOT, "%s", p.minWarmupSeconds()),
                "--min-seconds", String.format(Locale.ROOT, "%s", p.minTimedSeconds()),
                "--max-steps", String.valueOf(p.maxTimedSteps()));
    }

    /**
     * The fair set-up (the script applies it again before importing torch, and picks an OpenBLAS kernel from the CPU flags
     * where OpenBLAS cannot recognise the CPU): no OPENBLAS_CORETYPE or
     * OPENBLAS_L2_SIZE override, OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = threads, OMP_WAIT_POLICY=PASSIVE.
     */
    static void fairEnvironment(Map<String, String> env, int threads) {
        env.remove("OPENBLAS_CORETYPE");
        env.remove("OPENBLAS_L2_SIZE");
        env.put("OMP_NUM_THREADS", String.valueOf(threads));
        env.put("OPENBLAS_NUM_THREADS", String.valueOf(threads));
        env.put("OMP_WAIT_POLICY", "PASSIVE");
    }
}
