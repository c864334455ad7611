package dev.zerolm.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * `zerolm bench`: runs the sections in order (GEMM kernels, training, inference, context scaling), each
 * followed by PyTorch on the same rows when asked, so both see about the same machine load.
 */
public final class Bench {

    /** The parts of the bench, selectable with --only. */
    public enum Section {
        GEMM, TRAIN, GEN, SCALING;

        public static Section parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bench --only: unknown section '" + s + "'; expected gemm, train, gen or scaling");
            }
        }
    }

    /**
     * @param quick         smoke run: fewer steps, no GPT-2 124M (forward and generation run on B), scaling to T 1024
     * @param sections      which sections to run
     * @param plan          warm-up and timing steps
     * @param threads       ZeroLM's kernel threads, also given to PyTorch
     * @param python        the Python with torch, or null to skip the comparison
     * @param pytorchScript bench/pytorch_reference.py (used when python is set)
     * @param rounds        times each section runs, ZeroLM and PyTorch taking turns; rows show the median of the rounds
     */
    public record Options(boolean quick, Set<Section> sections, TimingPlan plan, int threads, Path python, Path pytorchScript,
                          int rounds) {
        public Options {
            sections = sections.isEmpty() ? EnumSet.allOf(Section.class) : EnumSet.copyOf(sections);
            if (rounds < 1) throw new IllegalArgumentException("bench: --rounds must be >= 1, got " + rounds);
        }
    }

    /** New tokens per generation row. */
    public static final int GENERATED_TOKENS = 256;

    private final Options options;
    private final PrintStream log;
    private final List<BenchRow> rows = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    private BenchReport.PyTorchInfo pytorch;

    private Bench(Options options, PrintStream log) {
        this.options = options;
        this.log = log;
    }

    /** Runs the selected sections; progress lines go to log. */
    public static BenchReport run(String version, Options options, PrintStream log) {
        Bench b = new Bench(options, log);
        for (Section s : Section.values()) if (options.sections().contains(s)) b.runSection(s);
        if (options.rounds() > 1) {
            b.notes.add(options.rounds() + " rounds per section, ZeroLM then PyTorch in each: a row's median is the median of the"
                    + " rounds' medians, its spread the whole range.");
        }
        if (options.quick()) {
            b.notes.add("--quick: model C (GPT-2 124M) skipped, forward and generation measured on B, scaling stops at T 1024.");
        }
        if (options.sections().contains(Section.TRAIN) || options.sections().contains(Section.SCALING)) {
            b.notes.add("peak RSS: VmHWM of a child JVM per training run (this JVM's flags; unless -Xmx is set, a heap"
                    + " sized to the model: 16 bytes per weight + 1.5 x the activations, at least 1 GiB, e.g. C "
                    + String.join(" ", ChildJvm.heapFlags(BenchModel.c())) + ", C lean " + String.join(" ", ChildJvm.heapFlags(BenchModel.cLean()))
                    + ")" + (options.python() != null ? "; PyTorch: ru_maxrss of a child Python process." : "."));
        }
        return new BenchReport(version, Machine.detect(options.threads()), options.plan(), b.pytorch, b.rows, b.notes);
    }

    /** Runs a section once per round, each ZeroLM pass followed by PyTorch's, and keeps the rounds' combined rows. */
    private void runSection(Section section) {
        int first = rows.size();
        List<List<BenchRow>> rounds = new ArrayList<>();
        for (int r = 0; r < options.rounds(); r++) {
            if (options.rounds() > 1) log.printf(Locale.ROOT, "%s, round %d of %d%n", section.name().toLowerCase(Locale.ROOT), r + 1, options.rounds());
            measureSection(section);
            if (options.python() != null) compareWithPyTorch(section, first);
            List<BenchRow> round = rows.subList(first, rows.size());
            rounds.add(new ArrayList<>(round));
            round.clear();
        }
        rows.addAll(combineRounds(rounds));
    }

    /**
     * One row per id (in the first round's order) whose ZeroLM and PyTorch numbers are {@link Stats#ofRounds} over the
     * rounds that have them; notes are kept once each. A single round comes back as it is.
     */
    static List<BenchRow> combineRounds(List<List<BenchRow>> rounds) {
        if (rounds.size() == 1) return rounds.get(0);
        Map<String, List<BenchRow>> byId = new LinkedHashMap<>();
        for (List<BenchRow> round : rounds) for (BenchRow row : round) byId.computeIfAbsent(row.id(), k -> new ArrayList<>()).add(row);
        List<BenchRow> out = new ArrayList<>();
        for (List<BenchRow> same : byId.values()) {
            List<Stats> ours = same.stream().map(BenchRow::zerolm).filter(Objects::nonNull).toList();
            List<Stats> theirs = same.stream().map(BenchRow::pytorch).filter(Objects::nonNull).toList();
            String notes = String.join("; ", same.stream().map(BenchRow::note).filter(n -> !n.isEmpty()).distinct().toList());
            BenchRow first = same.get(0);
            out.add(new BenchRow(first.id(), first.label(), first.unit(), ours.isEmpty() ? null : Stats.ofRounds(ours),
                    theirs.isEmpty() ? null : Stats.ofRounds(theirs), notes));
        }
        return out;
    }

    private void measureSection(Section section) {
        switch (section) {
            case GEMM -> {
                if (options.python() != null && measureGemmInTurns()) return;
                for (GemmCase c : GemmCase.all()) add(c.id(), c.label(), "GFLOP/s", () -> c.measure(options.plan()));
            }
            case TRAIN -> {
                List<BenchModel> models = options.quick() ? List.of(BenchModel.a(), BenchModel.b())
                        : List.of(BenchModel.a(), BenchModel.b(), BenchModel.c());
                for (BenchModel m : models) addTraining("train." + m.id(), "train " + m.id() + " (" + m.shape() + ")", m, "");
                if (!options.quick()) {
                    BenchModel lean = BenchModel.cLean();
                    addTraining("train." + lean.id(), "train C lean (checkpointed blocks, AdamW in backward)", lean,
                            "memory goal row: compare its peak RSS with PyTorch's train C");
                }
            }
            case GEN -> {
                BenchModel m = options.quick() ? BenchModel.b() : BenchModel.c();
                BenchModel one = new BenchModel(m.id(), m.config(), 1);
                add("forward." + m.id(), "forward " + m.id() + ", no grad (" + m.shape() + ")", "tok/s",
                        () -> ModelBench.forward(m, options.plan()));
                add("gen." + m.id(), "generate " + m.id() + ", KV cache, B 1, " + GENERATED_TOKENS + " new", "tok/s",
                        () -> ModelBench.generate(one, GENERATED_TOKENS, options.plan()));
            }
            case SCALING -> {
                int[] blocks = options.quick() ? new int[] {256, 1024} : new int[] {256, 1024, 4096};
                for (int t : blocks) {
                    BenchModel m = BenchModel.bAtBlock(t);
                    String note = m.tokensPerStep() != BenchModel.SCALING_TOKENS
                            ? "B*T = " + m.tokensPerStep() + ", not " + BenchModel.SCALING_TOKENS + " (batch >= 1)" : "";
                    addTraining("scaling." + m.id(), "train B at T " + t + ", B " + m.batch(), m, note);
                }
            }
        }
    }

    /**
     * With --vs-pytorch, the GEMM rows alternate turns of ZeroLM and PyTorch (two calls each, the second timed) ({@link GemmCase#measureInTurns}).
     * Returns false, with a note, when PyTorch's side cannot start; the rows are then timed the usual way.
     */
    private boolean measureGemmInTurns() {
        try (PyTorchGemmTurns torch = PyTorchGemmTurns.start(options.python(), options.pytorchScript(), options.threads())) {
            if (pytorch == null) pytorch = torch.info();
            String note = "GEMM rows: ZeroLM and PyTorch take turns " + GemmCase.PAUSE_MILLIS
                    + " ms apart, so both see the same moments of the machine; each turn times the second of two calls in a row.";
            if (!notes.contains(note)) notes.add(note);
            for (GemmCase c : GemmCase.all()) {
                log.printf(Locale.ROOT, "both    %-44s ", c.label());
                log.flush();
                try {
                    GemmCase.Turns t = c.measureInTurns(options.plan(), torch);
                    rows.add(new BenchRow(c.id(), c.label(), "GFLOP/s", t.zerolm(), t.pytorch(), ""));
                    log.printf(Locale.ROOT, "ZeroLM %s, PyTorch %s GFLOP/s%n", BenchTable.number(t.zerolm().median()),
                            BenchTable.number(t.pytorch().median()));
                } catch (IOException e) {
                    rows.add(new BenchRow(c.id(), c.label(), "GFLOP/s", c.measure(options.plan()), null, "PyTorch failed: " + e.getMessage()));
                    log.println("pytorch failed: " + e.getMessage());
                }
            }
            return true;
        } catch (IOException e) {
            notes.add("PyTorch's GEMM turns could not start (" + e.getMessage() + "): GEMM rows timed ZeroLM first, then PyTorch.");
            log.println("pytorch gemm turns failed: " + e.getMessage());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("bench interrupted", e);
        }
    }

    /** A measurement that may fail (out of memory, a bad shape): the failure becomes the row's note. */
    private interface Measure {
        Stats run() throws Exception;
    }

    private void add(String id, String label, String unit, Measure measure) {
        log.printf(Locale.ROOT, "zerolm  %-44s ", label);
        log.flush();
        try {
            Stats s = measure.run();
            rows.add(BenchRow.measured(id, label, unit, s));
            log.printf(Locale.ROOT, "%s %s%n", BenchTable.number(s.median()), unit);
        } catch (Exception | OutOfMemoryError e) {
            rows.add(BenchRow.failed(id, label, unit, e.toString()));
            log.println("failed: " + e);
        }
    }

    /** Tokens per second and peak memory of training model m, measured in a child JVM. */
    private void addTraining(String id, String label, BenchModel m, String note) {
        log.printf(Locale.ROOT, "zerolm  %-44s ", label);
        log.flush();
        String memLabel = "  peak RSS, " + label.replaceFirst(" \\(.*", "");
        try {
            ChildJvm.TrainResult r = ChildJvm.train(m, options.threads(), options.plan());
            rows.add(new BenchRow(id, label, "tok/s", r.tokensPerSecond(), null, note));
            rows.add(r.peakBytes().isPresent()
                    ? BenchRow.measured("mem." + id, memLabel, "MiB", Stats.single(r.peakBytes().getAsLong() / 1048576.0))
                    : new BenchRow("mem." + id, memLabel, "MiB", null, null, "no /proc/self/status on this OS"));
            if (r.cost() != null) {
                String name = label.replaceFirst(" \\(.*", "");
                StepCost c = r.cost();
                rows.add(Double.isNaN(c.allocatedBytesPerStep())
                        ? new BenchRow("jvm.alloc." + id, "  allocated per step, " + name, "MiB", null, null, "not measurable on this JVM")
                        : BenchRow.measured("jvm.alloc." + id, "  allocated per step, " + name, "MiB", Stats.single(c.allocatedBytesPerStep() / 1048576.0)));
                rows.add(new BenchRow("jvm.gc." + id, "  GC per step, " + name, "ms", Stats.single(c.gcMillisPerStep()), null,
                        String.format(Locale.ROOT, "%.2f collections per step", c.collectionsPerStep())));
            }
            log.printf(Locale.ROOT, "%s tok/s%n", BenchTable.number(r.tokensPerSecond().median()));
        } catch (Exception e) {
            rows.add(BenchRow.failed(id, label, "tok/s", e.getMessage()));
            log.println("failed: " + e.getMessage());
        }
    }

    /** Runs PyTorch on the rows of this section (from index first) and fills in its columns. */
    private void compareWithPyTorch(Section section, int first) {
        List<String> ids = new ArrayList<>();
        for (BenchRow r : rows.subList(first, rows.size())) {
            // PyTorch reports mem.* itself; rows timed in turns have its numbers already
            if (!r.id().startsWith("mem.") && !r.id().startsWith("jvm.") && r.pytorch() == null) ids.add(r.id());
        }
        if (ids.isEmpty()) return;
        try {
            PyTorchResults torch = PyTorchReference.run(options.python(), options.pytorchScript(), ids, options.threads(),
                    options.plan());
            if (pytorch == null) pytorch = new BenchReport.PyTorchInfo(torch.torchVersion(), torch.threads(), options.python().toString(),
                    torch.blas());
            for (int i = first; i < rows.size(); i++) {
                BenchRow r = rows.get(i);
                if (ids.contains(r.id()) || r.id().startsWith("mem.")) rows.set(i, r.withPyTorch(torch.results().get(r.id()), torch.noteFor(r.id())));
            }
        } catch (Exception e) {
            notes.add("PyTorch " + section.name().toLowerCase(Locale.ROOT) + " section failed: " + e.getMessage());
            log.println("pytorch " + section.name().toLowerCase(Locale.ROOT) + " failed: " + e.getMessage());
        }
    }
}
