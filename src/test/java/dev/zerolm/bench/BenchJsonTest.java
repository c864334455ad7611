package dev.zerolm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** JSON in and out: the --json report, the PyTorch script's output and the child JVM's result line. */
class BenchJsonTest {

    @TempDir
    Path dir;

    @Test
    void reportJsonHoldsMachineTimingAndEveryRowWithRatio() throws IOException {
        var torch = new BenchReport.PyTorchInfo("1.13.0a0", 2, "/usr/bin/python3", "libblas.so.3");
        List<BenchRow> rows = List.of(
                BenchTableTest.rows().get(0).withPyTorch(Stats.of(200, 190, 210), ""),
                BenchTableTest.rows().get(2),
                BenchTableTest.rows().get(3));
        Path file = dir.resolve("out/bench.json");
        BenchJson.write(new BenchReport("0.1.0", BenchTableTest.MACHINE, BenchTableTest.PLAN, torch, rows, List.of("n1")), file);

        JsonNode root = new ObjectMapper().readTree(file.toFile());
        assertThat(root.get("zerolm").asText()).isEqualTo("0.1.0");
        assertThat(root.at("/machine/cpu").asText()).isEqualTo("AMD EPYC 9R45");
        assertThat(root.at("/machine/threads").asInt()).isEqualTo(2);
        assertThat(root.at("/timing/timed_steps").asInt()).isEqualTo(5);
        assertThat(root.at("/pytorch/blas").asText()).isEqualTo("libblas.so.3");
        JsonNode gemm = root.get("rows").get(0);
        assertThat(gemm.get("id").asText()).isEqualTo("gemm.1024x1024x1024.NN");
        assertThat(gemm.at("/zerolm/median").asDouble()).isEqualTo(101.2);
        assertThat(gemm.at("/zerolm/samples").asInt()).isEqualTo(3);
        assertThat(gemm.at("/pytorch/max").asDouble()).isEqualTo(210);
        assertThat(gemm.get("ratio").asDouble()).isEqualTo(101.2 / 200);
        JsonNode mem = root.get("rows").get(1);
        assertThat(mem.get("unit").asText()).isEqualTo("MiB");
        assertThat(mem.get("pytorch").isNull()).isTrue();
        assertThat(mem.get("ratio").isNull()).isTrue();
        JsonNode failed = root.get("rows").get(2);
        assertThat(failed.get("zerolm").isNull()).isTrue();
        assertThat(failed.get("note").asText()).startsWith("ZeroLM failed: java.lang.OutOfMemoryError");
        assertThat(root.get("notes").get(0).asText()).isEqualTo("n1");
    }

    @Test
    void reportWithoutPyTorchWritesNullForIt() throws IOException {
        String json = BenchJson.toJson(new BenchReport("0.1.0", BenchTableTest.MACHINE, BenchTableTest.PLAN, null,
                BenchTableTest.rows(), List.of()));
        assertThat(new ObjectMapper().readTree(json).get("pytorch").isNull()).isTrue();
    }

    @Test
    void pyTorchOutputIsReadFromItsLastJsonLineWithResultsAndErrors() {
        String stdout = "some warning from torch\n"
                + "{\"torch\": \"1.13.0a0\", \"threads\": 2, \"blas\": \"/usr/lib/x86_64-linux-gnu/blas/libblas.so.3\", "
                + "\"results\": {\"gemm.1024x1024x1024.NN\": {\"median\": 5.4, \"min\": 5.3, \"max\": 5.5, \"samples\": 3}, "
                + "\"mem.train.A\": {\"median\": 293.2, \"min\": 293.2, \"max\": 293.2, \"samples\": 1}}, "
                + "\"errors\": {\"train.C\": \"RuntimeError: out of memory\"}}\n";
        PyTorchResults r = PyTorchResults.parse(stdout);
        assertThat(r.torchVersion()).isEqualTo("1.13.0a0");
        assertThat(r.threads()).isEqualTo(2);
        assertThat(r.blas()).endsWith("libblas.so.3");
        assertThat(r.results()).containsOnlyKeys("gemm.1024x1024x1024.NN", "mem.train.A");
        assertThat(r.results().get("gemm.1024x1024x1024.NN")).isEqualTo(new Stats(5.4, 5.3, 5.5, 3));
        assertThat(r.noteFor("train.C")).isEqualTo("PyTorch failed: RuntimeError: out of memory");
        assertThat(r.noteFor("train.A")).isEmpty();
    }

    @Test
    void pyTorchOutputWithoutJsonOrWithABadResultIsAnErrorThatShowsIt() {
        assertThatThrownBy(() -> PyTorchResults.parse("Traceback: ImportError\n"))
                .hasMessageContaining("printed no JSON line").hasMessageContaining("ImportError");
        assertThatThrownBy(() -> PyTorchResults.parse("{\"torch\": \"1.13\", \"threads\": 2, \"results\": {\"x\": {\"median\": 1}}}"))
                .hasMessageContaining("result 'x'").hasMessageContaining("'min'");
        assertThatThrownBy(() -> PyTorchResults.parse("{\"threads\": 2}")).hasMessageContaining("\"torch\"");
        assertThatThrownBy(() -> PyTorchResults.parse("{\"torch\": ")).hasMessageContaining("invalid JSON");
    }

    @Test
    void workerResultLineRoundTrips() {
        Stats s = Stats.of(1000, 900, 1100);
        StepCost cost = new StepCost(5e8, 12.5, 0.25);
        ChildJvm.TrainResult r = ChildJvm.parse("progress\n" + BenchWorker.resultLine(s, OptionalLong.of(123456789L), cost) + "\n");
        assertThat(r.tokensPerSecond()).isEqualTo(s);
        assertThat(r.peakBytes()).hasValue(123456789L);
        assertThat(r.cost()).isEqualTo(cost);
        ChildJvm.TrainResult bare = ChildJvm.parse(BenchWorker.resultLine(s, OptionalLong.empty(), null));
        assertThat(bare.peakBytes()).isEmpty();
        assertThat(bare.cost()).isNull();
        StepCost unknownAllocation = ChildJvm.parse(BenchWorker.resultLine(s, OptionalLong.empty(), new StepCost(Double.NaN, 1, 2))).cost();
        assertThat(unknownAllocation.allocatedBytesPerStep()).isNaN();
        assertThat(unknownAllocation.gcMillisPerStep()).isEqualTo(1);
    }

    @Test
    void stepCostIsTheDifferenceOfTheCountersPerStep() {
        StepCost c = StepCost.between(new StepCost.Counters(1000, 40, 3), new StepCost.Counters(5000, 100, 7), 4);
        assertThat(c).isEqualTo(new StepCost(1000, 15, 1));
        assertThat(StepCost.between(new StepCost.Counters(-1, 0, 0), new StepCost.Counters(-1, 0, 0), 1).allocatedBytesPerStep()).isNaN();
        assertThatThrownBy(() -> StepCost.between(StepCost.Counters.now(), StepCost.Counters.now(), 0)).hasMessageContaining("steps");
        // This JVM (HotSpot) counts allocation: a fresh array shows up.
        StepCost.Counters before = StepCost.Counters.now();
        float[] big = new float[1 << 20];
        assertThat(big).hasSize(1 << 20);
        assertThat(StepCost.Counters.now().allocatedBytes() - before.allocatedBytes()).isGreaterThanOrEqualTo(4L << 20);
    }
}
