package dev.zerolm.bench;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Runs a {@link BenchWorker} in a fresh JVM with this JVM's flags and class path, and reads back its result.
 * A fresh process per training configuration keeps each peak-memory reading separate.
 */
public final class ChildJvm {

    /**
     * A child's tokens per second, peak resident bytes (empty where the OS does not tell) and the JVM cost of its
     * timed steps (null from a worker that did not report it).
     */
    public record TrainResult(Stats tokensPerSecond, OptionalLong peakBytes, StepCost cost) {}

    /** The smallest heap a child gets: the JVM itself and the bench's bookkeeping need some room. */
    static final long MIN_HEAP_BYTES = 1L << 30;

    private ChildJvm() {}

    /** Times training of model in a child JVM; throws with the child's last error lines if it fails. */
    public static TrainResult train(BenchModel model, int threads, TimingPlan plan) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        List<String> cmd = command(java, ManagementFactory.getRuntimeMXBean().getInputArguments(), heapFlags(model),
                System.getProperty("java.class.path"), BenchWorker.arguments(model, threads, plan));
        Path errors = Files.createTempFile("zerolm-bench-", ".err");
        try {
            Process p = new ProcessBuilder(cmd).redirectError(errors.toFile()).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            if (code != 0) {
                throw new IOException("child JVM for model " + model.id() + " exited with " + code + ": "
                        + errorSummary(Files.readString(errors)));
            }
            return parse(out);
        } finally {
            Files.deleteIfExists(errors);
        }
    }

    /**
     * The heap flags for training model: a ceiling at its {@link BenchModel#trainingHeapBytes() estimated need}, at
     * least {@link #MIN_HEAP_BYTES}, in whole MiB, and the young generation's size. Sized to the model rather than
     * to the machine, as PyTorch's allocator is.
     */
    static List<String> heapFlags(BenchModel model) {
        return List.of("-Xmx" + (Math.max(MIN_HEAP_BYTES, model.trainingHeapBytes()) >> 20) + "m",
                "-Xmn" + (model.youngGenerationBytes() >> 20) + "m");
    }

    /** java, the parent's JVM flags (plus heapFlags when they set no heap ceiling), class path, worker class and args. */
    static List<String> command(String java, List<String> jvmFlags, List<String> heapFlags, String classPath, String[] workerArgs) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        boolean heapSet = false;
        for (String f : jvmFlags) {
            if (f.startsWith("-agentlib:jdwp")) continue;   // a debugger's port cannot be opened twice
            heapSet |= f.startsWith("-Xmx") || f.startsWith("-XX:MaxRAM") || f.startsWith("-XX:MaxHeapSize");
            cmd.add(f);
        }
        if (!heapSet) cmd.addAll(heapFlags);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(BenchWorker.class.getName());
        cmd.addAll(List.of(workerArgs));
        return cmd;
    }

    /** Reads the worker's JSON line (the last line of its output that starts with '{'). */
    static TrainResult parse(String stdout) {
        String json = null;
        for (String line : stdout.split("\n")) if (line.strip().startsWith("{")) json = line.strip();
        if (json == null) throw new IllegalArgumentException("bench worker printed no result line; output: " + stdout.strip());
        try {
            JsonNode root = BenchJson.MAPPER.readTree(json);
            Stats s = BenchJson.statsOf(root.get("tokens_per_second"), "bench worker");
            if (s == null) throw new IllegalArgumentException("bench worker: no tokens_per_second in " + json);
            JsonNode peak = root.path("peak_bytes"), gc = root.path("gc_ms_per_step");
            StepCost cost = gc.isNumber() ? new StepCost(root.path("allocated_bytes_per_step").asDouble(Double.NaN),
                    gc.asDouble(), root.path("collections_per_step").asDouble(Double.NaN)) : null;
            return new TrainResult(s, peak.isNumber() ? OptionalLong.of(peak.asLong()) : OptionalLong.empty(), cost);
        } catch (IOException e) {
            throw new IllegalArgumentException("bench worker printed invalid JSON: " + json, e);
        }
    }

    /** The line naming the exception (e.g. "java.lang.OutOfMemoryError: Java heap space"), else the last lines. */
    static String errorSummary(String stderr) {
        List<String> lines = stderr.strip().lines().toList();
        for (String line : lines) {
            if (line.startsWith("Exception in thread") || line.contains("Error:") || line.contains("Exception:")) return line.strip();
        }
        return String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
    }
}
