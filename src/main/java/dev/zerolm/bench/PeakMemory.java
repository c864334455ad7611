package dev.zerolm.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * The most resident memory this process has held so far (Linux's VmHWM, "high water mark"). It counts
 * everything the OS gave the JVM: heap as the collector grew it, JIT code, thread stacks.
 */
public final class PeakMemory {

    private PeakMemory() {}

    /** This process's peak resident set in bytes, or empty where /proc/self/status is missing. */
    public static OptionalLong peakResidentBytes() {
        try {
            return vmHwmBytes(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The "VmHWM:   123456 kB" line of a /proc/PID/status text, in bytes. */
    static OptionalLong vmHwmBytes(String status) {
        for (String line : status.split("\n")) {
            if (!line.startsWith("VmHWM:")) continue;
            String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
            long value = Long.parseLong(parts[0]);
            if (parts.length < 2 || !parts[1].equalsIgnoreCase("kB")) {
                throw new IllegalArgumentException("VmHWM: expected a value in kB, got '" + line + "'");
            }
            return OptionalLong.of(value * 1024);
        }
        return OptionalLong.empty();
    }
}
