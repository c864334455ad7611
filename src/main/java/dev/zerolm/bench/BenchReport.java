package dev.zerolm.bench;

import java.util.List;

/**
 * Everything one `zerolm bench` run measured, printed as a table ({@link BenchTable}) and written as
 * JSON ({@link BenchJson}).
 *
 * @param version  ZeroLM's version
 * @param machine  where it ran
 * @param plan     warm-up and timing steps
 * @param pytorch  the PyTorch it was compared with, or null without --vs-pytorch
 * @param rows     in the order they were measured
 * @param notes    lines printed under the table
 */
public record BenchReport(String version, Machine machine, TimingPlan plan, PyTorchInfo pytorch, List<BenchRow> rows,
                          List<String> notes) {

    public BenchReport {
        rows = List.copyOf(rows);
        notes = List.copyOf(notes);
    }

    /** The PyTorch build and set-up of a comparison; blas is the library its GEMMs ran in. */
    public record PyTorchInfo(String version, int threads, String python, String blas) {}
}
