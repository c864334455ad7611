import java.lang.reflect.Method;

/**
 * Compares the training step of two (or more) ZeroLM jars inside one JVM, on a machine too noisy for separate runs:
 * each jar gets its own class loader, and rounds of timed steps alternate between them (A, B, A, B, ...); the report
 * is the median of the per-round speed ratios, so a slow stretch of the machine hits both sides of a round alike.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector tools/ab/TrainAB.java MODEL ROUNDS old.jar new.jar[:prop=value,...]
 * </pre>
 * MODEL is a bench model id (A, B, C, C-lean, ...). A round times at least 20 steps (-Dsteps=N to change) and 1 s of each
 * jar (`zerolm bench`'s train row, {@code ModelBench.train}), after a first untimed round that warms the JIT for 5 s. Properties after a
 * jar's path are set just before its classes load and stay set for the jars after it.
 */
public class TrainAB {

    static final int STEPS = Integer.getInteger("steps", 20);

    public static void main(String[] args) throws Throwable {
        if (args.length < 4) {
            System.err.println("usage: TrainAB MODEL ROUNDS JAR[:prop=value,...] JAR[:prop=value,...] ...");
            System.exit(2);
        }
        String model = args[0];
        int rounds = Integer.parseInt(args[1]);
        int variants = args.length - 2;
        Jar[] jars = new Jar[variants];
        for (int v = 0; v < variants; v++) jars[v] = new Jar(args[2 + v], model);
        double[][] tokensPerSecond = new double[variants][rounds];
        for (int round = -1; round < rounds; round++) {
            for (int v = 0; v < variants; v++) {
                double rate = jars[v].train(round < 0 ? 5.0 : 0.2);
                if (round >= 0) tokensPerSecond[v][round] = rate;
            }
        }
        for (int v = 0; v < variants; v++) {
            System.out.printf("train %s  %-40s %s%n", model, args[2 + v],
                    AbJars.summary(tokensPerSecond[v], tokensPerSecond[0], "%8.0f", "tok/s"));
        }
    }

    /** One jar's ModelBench.train for one model, in a class loader of its own. */
    private record Jar(Method train, Object model, Class<?> plan, Method tokensPerSecond, Method median) {

        Jar(String spec, String modelId) throws Exception {
            this(AbJars.load(spec), modelId);
        }

        private Jar(ClassLoader loader, String modelId) throws Exception {
            this(Class.forName("dev.zerolm.bench.ModelBench", true, loader).getMethod("train",
                            Class.forName("dev.zerolm.bench.BenchModel", true, loader),
                            Class.forName("dev.zerolm.bench.TimingPlan", true, loader)),
                    Class.forName("dev.zerolm.bench.BenchModel", true, loader).getMethod("byId", String.class).invoke(null, modelId),
                    Class.forName("dev.zerolm.bench.TimingPlan", true, loader),
                    Class.forName("dev.zerolm.bench.ModelBench$TrainRun", true, loader).getMethod("tokensPerSecond"),
                    Class.forName("dev.zerolm.bench.Stats", true, loader).getMethod("median"));
        }

        /** Median tokens/s of at least STEPS timed steps and 1 s, after warm-up steps for at least warmupSeconds. */
        double train(double warmupSeconds) throws Exception {
            Object timing = plan.getConstructor(int.class, int.class, double.class, double.class, int.class)
                    .newInstance(3, STEPS, warmupSeconds, 1.0, Math.max(STEPS, 400));
            return (double) median.invoke(tokensPerSecond.invoke(train.invoke(null, model, timing)));
        }
    }
}
