package dev.zerolm.bench;

import dev.zerolm.tensor.kernels.CpuInfo;
import jdk.incubator.vector.FloatVector;

/**
 * What the numbers were measured on. Benchmarks mean little without it: the same code runs 4x apart on
 * 2 and 8 cores, or with and without AVX-512.
 *
 * @param cpuModel   "model name" of /proc/cpuinfo ("unknown" off Linux)
 * @param cores      processors this JVM may use
 * @param jdk        Java runtime version and vendor
 * @param threads    ZeroLM's kernel threads (--threads)
 * @param vectorBits width of the Vector API's preferred float vector (512 = AVX-512)
 */
public record Machine(String cpuModel, int cores, String jdk, String os, int threads, int vectorBits) {

    /** The machine this JVM runs on, with ZeroLM using the given number of threads. */
    public static Machine detect(int threads) {
        String runtime = System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ")";
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
        String model = CpuInfo.field("model name");
        return new Machine(model.isEmpty() ? "unknown" : model, Runtime.getRuntime().availableProcessors(), runtime, os, threads,
                FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    /** One line for the table's header. */
    public String describe() {
        return cpuModel + ", " + cores + " cores, " + vectorBits + "-bit vectors; " + os + "; JDK " + jdk + "; "
                + threads + (threads == 1 ? " thread" : " threads");
    }
}
