package dev.zerolm.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The plain-text table `zerolm bench` prints. */
class BenchTableTest {

    static final Machine MACHINE = new Machine("AMD EPYC 9R45", 2, "25.0.1+8 (Eclipse Adoptium)", "Linux 6.1 amd64", 2, 512);
    static final TimingPlan PLAN = TimingPlan.standard(5, 2);

    static List<BenchRow> rows() {
        return List.of(
                BenchRow.measured("gemm.1024x1024x1024.NN", "GEMM 1024x1024x1024 A*B", "GFLOP/s", Stats.of(101.2, 98.4, 120.7)),
                BenchRow.measured("train.A", "train A (4L 4H 128, V 65, T 64, B 12)", "tok/s", Stats.of(51234.4, 49000, 52000.6)),
                BenchRow.measured("mem.train.A", "  peak RSS, train A", "MiB", Stats.single(412.3)),
                BenchRow.failed("scaling.B-T4096", "train B at T 4096, B 1", "tok/s", "java.lang.OutOfMemoryError: Java heap space"));
    }

    @Test
    void withoutPyTorchTheTableHasZeroLmColumnsOnlyWithMedianAndSpread() {
        String t = BenchTable.format(new BenchReport("0.1.0", MACHINE, PLAN, null, rows(), List.of()));
        assertThat(t).contains("machine: AMD EPYC 9R45, 2 cores, 512-bit vectors; Linux 6.1 amd64; JDK 25.0.1+8 (Eclipse Adoptium); 2 threads");
        assertThat(t).contains("median of >= 5 timed steps (>= 2 s) after >= 2 warm-up steps (>= 5 s)");
        assertThat(t).doesNotContain("PyTorch").doesNotContain("ratio");
        assertThat(t).containsPattern("GEMM 1024x1024x1024 A\\*B +GFLOP/s +101 +\\(98\\.4-121\\)");
        assertThat(t).containsPattern("train A \\(4L 4H 128, V 65, T 64, B 12\\) +tok/s +51234 +\\(49000-52001\\)");
        assertThat(t).containsPattern("peak RSS, train A +MiB +412\\n");   // one reading: no spread
        assertThat(t).containsPattern("train B at T 4096, B 1 +tok/s +- +ZeroLM failed: java.lang.OutOfMemoryError");
    }

    @Test
    void columnsLineUpAcrossRows() {
        String t = BenchTable.format(new BenchReport("0.1.0", MACHINE, PLAN, null, rows(), List.of()));
        List<String> lines = t.lines().filter(l -> l.contains("tok/s") || l.contains("GFLOP/s") || l.startsWith("benchmark")).toList();
        int unitColumn = lines.get(0).indexOf("unit");
        for (String l : lines.subList(1, lines.size())) {
            assertThat(l.charAt(unitColumn - 1)).as(l).isEqualTo(' ');
            assertThat(l.charAt(unitColumn)).as(l).isNotEqualTo(' ');
        }
    }

    @Test
    void withPyTorchEachRowGetsItsNumbersAndTheRatioZeroLmOverPyTorch() {
        List<BenchRow> rows = List.of(
                rows().get(0).withPyTorch(Stats.of(202.4, 190, 210), ""),
                rows().get(1).withPyTorch(null, "PyTorch failed: RuntimeError: boom"));
        var torch = new BenchReport.PyTorchInfo("1.13.0a0", 2, "/usr/bin/python3", "/usr/lib/libopenblas.so.0 (OpenBLAS, Zen kernels)");
        String t = BenchTable.format(new BenchReport("0.1.0", MACHINE, PLAN, torch, rows, List.of("a note")));
        assertThat(t).contains("pytorch: 1.13.0a0, 2 threads, /usr/bin/python3").contains("blas:    /usr/lib/libopenblas.so.0");
        assertThat(t).containsPattern("benchmark +unit +ZeroLM +\\(min-max\\) +PyTorch +\\(min-max\\) +ratio +note");
        assertThat(t).containsPattern("GEMM 1024x1024x1024 A\\*B +GFLOP/s +101 +\\(98\\.4-121\\) +202 +\\(190-210\\) +0\\.50\\n");
        assertThat(t).containsPattern("51234 +\\(49000-52001\\) +- +- +PyTorch failed: RuntimeError: boom");
        assertThat(t).contains("ratio = ZeroLM / PyTorch").endsWith("a note\n");
    }

    @Test
    void numbersKeepAboutThreeSignificantDigits() {
        assertThat(BenchTable.number(51234.4)).isEqualTo("51234");
        assertThat(BenchTable.number(412.3)).isEqualTo("412");
        assertThat(BenchTable.number(98.44)).isEqualTo("98.4");
        assertThat(BenchTable.number(7.125)).isEqualTo("7.13");
        assertThat(BenchTable.number(0.5312)).isEqualTo("0.531");
    }
}
