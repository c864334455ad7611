package dev.zerolm.bench;

import dev.zerolm.tensor.kernels.CpuInfo;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What the bench reads from the OS and how it starts its child JVMs and PyTorch. */
class BenchSetupTest {

    @Test
    void cpuinfoFieldsAreTheFirstValueOfTheirKey() {
        String cpuinfo = "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 2\nmodel name\t: AMD EPYC 9R45\n\nprocessor\t: 1\n"
                + "model name\t: AMD EPYC 9R45\n";
        assertThat(CpuInfo.field(cpuinfo, "model name")).isEqualTo("AMD EPYC 9R45");
        assertThat(CpuInfo.field(cpuinfo, "vendor_id")).isEqualTo("AuthenticAMD");
        assertThat(CpuInfo.field("", "model name")).isEmpty();
    }

    @Test
    void peakMemoryIsVmHwmInBytes() {
        String status = "Name:\tjava\nVmPeak:\t 9000000 kB\nVmHWM:\t  412000 kB\nVmRSS:\t  300000 kB\n";
        assertThat(PeakMemory.vmHwmBytes(status)).hasValue(412000L * 1024);
        assertThat(PeakMemory.vmHwmBytes("Name:\tjava\n")).isEmpty();
    }

    @Test
    void scalingModelsKeepTwoThousandTokensPerStepWhileABatchFits() {
        assertThat(BenchModel.byId("B-T256")).satisfies(m -> {
            assertThat(m.batch()).isEqualTo(8);
            assertThat(m.config()).isEqualTo(BenchModel.b().config());
        });
        assertThat(BenchModel.byId("B-T1024").batch()).isEqualTo(2);
        assertThat(BenchModel.byId("B-T1024").tokensPerStep()).isEqualTo(2048);
        assertThat(BenchModel.byId("B-T4096").batch()).isEqualTo(1);
        assertThat(BenchModel.byId("C").config().vocabSize()).isEqualTo(50257);
        assertThat(BenchModel.byId("C-lean")).satisfies(m -> {
            assertThat(m.lean()).isTrue();
            assertThat(m.config()).isEqualTo(BenchModel.c().config());
            assertThat(m.batch()).isEqualTo(BenchModel.c().batch());
        });
        assertThatThrownBy(() -> BenchModel.byId("B-Tx")).hasMessageContaining("unknown model 'B-Tx'");
    }

    @Test
    void childJvmGetsTheParentFlagsAndAHeapCeilingUnlessOneIsSet() {
        String[] args = BenchWorker.arguments(BenchModel.a(), 2, TimingPlan.quick(3, 1));
        List<String> cmd = ChildJvm.command("/jdk/bin/java", List.of("--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC",
                "-agentlib:jdwp=transport=dt_socket,address=5005"), List.of("-Xmx1024m"), "target/zerolm.jar", args);
        assertThat(cmd).containsExactly("/jdk/bin/java", "--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC",
                "-Xmx1024m", "-cp", "target/zerolm.jar", "dev.zerolm.bench.BenchWorker",
                "train", "A", "2", "1", "3", "0.3", "0.5", "20");
        assertThat(ChildJvm.command("java", List.of("-Xmx8g"), List.of("-Xmx1024m", "-Xmn64m"), "cp", args))
                .contains("-Xmx8g").doesNotContain("-Xmx1024m", "-Xmn64m");
    }

    @Test
    void childHeapIsSizedToTheModelWithAFloor() {
        // GPT-2 124M has 124,439,808 weights; block 256 drops the position rows 256..1023 (768 x 768 of them).
        assertThat(BenchModel.c().parameters()).isEqualTo(124_439_808L - 768L * 768);
        for (BenchModel m : new BenchModel[] {BenchModel.a(), BenchModel.b()}) {            // the formula against a built model
            assertThat(m.parameters()).as(m.id()).isEqualTo(new dev.zerolm.models.GPT(m.config(), new dev.zerolm.tensor.Rng(1)).parameterCount());
        }
        long c = BenchModel.c().trainingHeapBytes();
        assertThat(c).isBetween(16 * BenchModel.c().parameters(), 6L << 30);    // weights, grads, moments; under 6 GiB
        long cYoung = BenchModel.c().youngGenerationBytes();
        assertThat(ChildJvm.heapFlags(BenchModel.c())).containsExactly("-Xmx" + (c >> 20) + "m", "-Xmn" + (cYoung >> 20) + "m");
        // the old generation holds weights, gradients, moments and the recycled activations (24 floats per layer and token)
        long activations = 4L * BenchModel.c().tokensPerStep() * 12 * 24 * 768;
        assertThat(c - cYoung).isGreaterThan(16 * BenchModel.c().parameters() + activations);
        assertThat(ChildJvm.heapFlags(BenchModel.a()).getFirst()).isEqualTo("-Xmx1024m");   // tiny: the floor
        // lean C: weights and moments (12 bytes a weight) fit in the old generation, under 2 GiB in all
        long lean = BenchModel.cLean().trainingHeapBytes(), young = BenchModel.cLean().youngGenerationBytes();
        assertThat(lean - young).isGreaterThan(12 * BenchModel.c().parameters());
        assertThat(lean - young).isGreaterThan(1780L << 20);                      // measured: less runs out of memory
        assertThat(lean).isLessThan(2L << 30);
        assertThat(ChildJvm.heapFlags(BenchModel.cLean())).containsExactly("-Xmx" + (lean >> 20) + "m", "-Xmn" + (young >> 20) + "m");
        assertThat(BenchModel.bAtBlock(4096).trainingHeapBytes()).isGreaterThan(BenchModel.b().trainingHeapBytes());
    }

    @Test
    void childFailureIsSummarisedByTheLineNamingTheError() {
        String stderr = "Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n\tat dev.zerolm.X.y(X.java:1)\n";
        assertThat(ChildJvm.errorSummary(stderr)).isEqualTo("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space");
        assertThat(ChildJvm.errorSummary("a\nb\nc\nd\n")).isEqualTo("b | c | d");
    }

    @Test
    void pyTorchGetsTheFairEnvironmentAndTheSameTimingPlan() {
        Map<String, String> env = new HashMap<>(Map.of("OPENBLAS_CORETYPE", "Haswell", "OPENBLAS_L2_SIZE", "512", "PATH", "/bin"));
        PyTorchReference.fairEnvironment(env, 2);
        assertThat(env).containsOnly(Map.entry("PATH", "/bin"), Map.entry("OMP_NUM_THREADS", "2"),
                Map.entry("OPENBLAS_NUM_THREADS", "2"), Map.entry("OMP_WAIT_POLICY", "PASSIVE"));
        List<String> cmd = PyTorchReference.command(Path.of("/usr/bin/python3"), Path.of("bench/pytorch_reference.py"),
                List.of("train.A", "gen.B"), 2, TimingPlan.standard(5, 2));
        assertThat(String.join(" ", cmd)).isEqualTo("/usr/bin/python3 bench/pytorch_reference.py --threads 2 --rows train.A,gen.B "
                + "--warmup 2 --steps 5 --min-warmup-seconds 5.0 --min-seconds 2.0 --max-steps 50");
    }

    @Test
    void everyGemmShapeIsTimedInTheThreeLayoutsTheTrainingPassUses() {
        List<GemmCase> cases = GemmCase.all();
        assertThat(cases).hasSize(12);
        assertThat(cases).extracting(GemmCase::id).contains("gemm.4096x768x3072.NN", "gemm.4096x768x3072.NT",
                "gemm.4096x3072x768.TN", "gemm.1024x1024x1024.TN");
        assertThat(new GemmCase(4096, 768, 768, false, true).label()).isEqualTo("GEMM 4096x768x768 A*B^T");
        assertThat(new GemmCase(2, 3, 4, true, false).flops()).isEqualTo(48);
    }

    @Test
    void sectionNamesParseCaseInsensitivelyAndUnknownOnesAreNamed() {
        assertThat(Bench.Section.parse("Gemm")).isEqualTo(Bench.Section.GEMM);
        assertThatThrownBy(() -> Bench.Section.parse("kernels")).hasMessageContaining("unknown section 'kernels'");
    }
}
