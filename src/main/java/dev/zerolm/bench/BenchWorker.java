package dev.zerolm.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.tensor.Parallel;

import java.util.Locale;
import java.util.OptionalLong;

/**
 * Entry point of the child JVM that times one training configuration, so that its peak memory is its own
 * (a JVM never gives its high water mark back). Prints one JSON line:
 * {@code {"tokens_per_second": {median, min, max, samples}, "peak_bytes": n, "allocated_bytes_per_step": a,
 * "gc_ms_per_step": g, "collections_per_step": c}}.
 * <pre>
 * java ... dev.zerolm.bench.BenchWorker train MODEL THREADS WARMUP TIMED MIN_WARMUP_S MIN_TIMED_S MAX_TIMED
 * </pre>
 */
public final class BenchWorker {

    private BenchWorker() {}

    public static void main(String[] args) {
        if (args.length != 8 || !args[0].equals("train")) {
            System.err.println("usage: BenchWorker train MODEL THREADS WARMUP TIMED MIN_WARMUP_S MIN_TIMED_S MAX_TIMED; got "
                    + String.join(" ", args));
            System.exit(2);
        }
        BenchModel model = BenchModel.byId(args[1]);
        Parallel.setThreads(Integer.parseInt(args[2]));
        TimingPlan plan = new TimingPlan(Integer.parseInt(args[3]), Integer.parseInt(args[4]), Double.parseDouble(args[5]),
                Double.parseDouble(args[6]), Integer.parseInt(args[7]));
        ModelBench.TrainRun run = ModelBench.train(model, plan);
        System.out.println(resultLine(run.tokensPerSecond(), PeakMemory.peakResidentBytes(), run.cost()));
        System.exit(0);
    }

    /** The worker's arguments for a model and plan, the inverse of what main parses. */
    static String[] arguments(BenchModel model, int threads, TimingPlan p) {
        return new String[] {"train", model.id(), String.valueOf(threads), String.valueOf(p.warmupSteps()),
                String.valueOf(p.timedSteps()), String.format(Locale.ROOT, "%s", p.minWarmupSeconds()),
                String.format(Locale.ROOT, "%s", p.minTimedSeconds()), String.valueOf(p.maxTimedSteps())};
    }

    static String resultLine(Stats tokensPerSecond, OptionalLong peakBytes, StepCost cost) {
        ObjectNode o = BenchJson.MAPPER.createObjectNode();
        o.set("tokens_per_second", BenchJson.statsNode(tokensPerSecond));
        if (peakBytes.isPresent()) o.put("peak_bytes", peakBytes.getAsLong());
        else o.putNull("peak_bytes");
        if (cost != null) {
            if (Double.isNaN(cost.allocatedBytesPerStep())) o.putNull("allocated_bytes_per_step");
            else o.put("allocated_bytes_per_step", cost.allocatedBytesPerStep());
            o.put("gc_ms_per_step", cost.gcMillisPerStep());
            o.put("collections_per_step", cost.collectionsPerStep());
        }
        return o.toString();
    }
}
