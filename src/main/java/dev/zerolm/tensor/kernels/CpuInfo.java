package dev.zerolm.tensor.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Fields of Linux's /proc/cpuinfo: the CPU's vendor picks the GEMM's block sizes, its model names a bench's machine. */
public final class CpuInfo {

    private CpuInfo() {}

    /** The first value of a field ("vendor_id", "model name") on this machine, or "" off Linux or when absent. */
    public static String field(String name) {
        try {
            return field(Files.readString(Path.of("/proc/cpuinfo")), name);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The first non-empty value of a field in a /proc/cpuinfo text ("key<tab>: value" lines), or "". */
    public static String field(String cpuinfo, String name) {
        for (String line : cpuinfo.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(name)) {
                String value = line.substring(colon + 1).trim();
                if (!value.isEmpty()) return value;
            }
        }
        return "";
    }
}
