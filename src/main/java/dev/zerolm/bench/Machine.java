package dev.zerolm.bench;

import jdk.incubator.vector.FloatVector;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

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
        String cpuinfo;
        try {
            cpuinfo = Files.readString(Path.of("/proc/cpuinfo"));
        } catch (IOException | RuntimeException e) {
            cpuinfo = "";
        }
        String runtime = System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vendor") + ")";
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch");
        return new Machine(cpuModelOf(cpuinfo), Runtime.getRuntime().availableProcessors(), runtime, os, threads,
                FloatVector.SPECIES_PREFERRED.vectorBitSize());
    }

    /** The first "model name" in a /proc/cpuinfo text, or "unknown". */
    static String cpuModelOf(String cpuinfo) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals("model name")) {
                String model = line.substring(colon + 1).trim();
                if (!model.isEmpty()) return model;
            }
        }
        return "unknown";
    }

    /** One line for the table's header. */
    public String describe() {
        return cpuModel + ", " + cores + " cores, " + vectorBits + "-bit vectors; " + os + "; JDK " + jdk + "; "
                + threads + (threads == 1 ? " thread" : " threads");
    }
}
