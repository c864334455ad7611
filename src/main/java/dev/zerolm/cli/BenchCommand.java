package dev.zerolm.cli;

import dev.zerolm.bench.Bench;
import dev.zerolm.bench.BenchJson;
import dev.zerolm.bench.BenchReport;
import dev.zerolm.bench.BenchTable;
import dev.zerolm.bench.PyTorchReference;
import dev.zerolm.bench.TimingPlan;
import dev.zerolm.tensor.Parallel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;

/** `zerolm bench`: how fast ZeroLM is on this machine, optionally next to PyTorch, as one table. */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false, subcommands = BenchServeCommand.class,
        description = {"Measure GEMM GFLOP/s, training, forward and generation tokens/s, peak memory, allocation and GC per training step, and context scaling.",
                "Prints one table (progress goes to stderr). Examples:",
                "  zerolm bench --quick",
                "  zerolm --threads 2 bench --only gemm --vs-pytorch --json gemm.json"})
public final class BenchCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "Smoke run: fewer steps, skips GPT-2 124M (forward/generation on model B), scaling to T 1024.")
    boolean quick;

    @Option(names = "--only", split = ",", paramLabel = "SECTION",
            description = "Run only these sections: gemm, train, gen, scaling (comma-separated or repeated). Default: all.")
    List<String> only = List.of();

    @Option(names = "--steps", description = "Timed steps per row, at least (default 5, --quick 3). Quick rows repeat until 2 s (0.5 s) have passed.")
    Integer steps;

    @Option(names = "--warmup", description = "Untimed warm-up steps per row, at least (default 2, --quick 1); they repeat until 5 s (0.3 s) have passed, so the JIT has compiled the kernels.")
    Integer warmup;

    @Option(names = "--rounds", defaultValue = "1", description = "Run each section this many times, ZeroLM and PyTorch taking turns, and "
            + "report the median of the rounds: a ratio then holds up when the machine's speed drifts. Default: ${DEFAULT-VALUE}.")
    int rounds;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the results as JSON to FILE.")
    Path json;

    @Option(names = "--vs-pytorch", description = "Also run " + PyTorchReference.SCRIPT + " and add PyTorch's numbers and the ratio. GEMM rows"
            + " take turns 250 ms apart, ZeroLM's then PyTorch's; each turn makes two calls and times the second.")
    boolean vsPyTorch;

    @Option(names = "--python", defaultValue = "/usr/bin/python3", description = "Python with torch for --vs-pytorch. Default: ${DEFAULT-VALUE}.")
    Path python;

    @Option(names = "--pytorch-script", paramLabel = "FILE", description = "The PyTorch script (default: " + PyTorchReference.SCRIPT + ").")
    Path pytorchScript;

    @Override
    public Integer call() throws Exception {
        Set<Bench.Section> sections = EnumSet.noneOf(Bench.Section.class);
        for (String s : only) sections.add(Bench.Section.parse(s));
        int timed = steps != null ? steps : quick ? 3 : 5;
        int warm = warmup != null ? warmup : quick ? 1 : 2;
        if (timed < 1 || warm < 0) throw new IllegalArgumentException("bench: --steps must be >= 1 and --warmup >= 0, got " + timed + " and " + warm);
        TimingPlan plan = quick ? TimingPlan.quick(timed, warm) : TimingPlan.standard(timed, warm);
        Path script = vsPyTorch ? PyTorchReference.findScript(pytorchScript) : null;
        var options = new Bench.Options(quick, sections, plan, Parallel.threads(), vsPyTorch ? python : null, script, rounds);
        BenchReport report = Bench.run(version(), options, System.err);
        System.out.println();
        System.out.print(BenchTable.format(report));
        if (json != null) {
            BenchJson.write(report, json);
            System.out.println("\nwrote " + json);
        }
        return 0;
    }

    private static String version() {
        String v = Main.class.getAnnotation(Command.class).version()[0];
        return v.startsWith("ZeroLM ") ? v.substring("ZeroLM ".length()) : v;
    }
}
