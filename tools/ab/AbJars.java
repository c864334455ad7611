import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Arrays;

/** What the same-JVM A/B tools share: a class loader per jar, and the summary of per-round speed ratios. */
final class AbJars {

    private AbJars() {}

    /**
     * A class loader for the jar in spec ("path.jar" or "path.jar:prop=value,..."), after setting the properties that
     * follow its path: they stay set for the jars loaded after it.
     */
    static ClassLoader load(String spec) throws Exception {
        String[] parts = spec.split(":", 2);
        if (parts.length == 2) {
            for (String kv : parts[1].split(",")) {
                String[] p = kv.split("=", 2);
                System.setProperty(p[0], p[1]);
            }
        }
        return new URLClassLoader(new URL[] {Path.of(parts[0]).toUri().toURL()}, ClassLoader.getPlatformClassLoader());
    }

    /** "median M unit  max X  | vs first: median R (quartiles Q1-Q3)": one variant's speeds against the first's, round by round. */
    static String summary(double[] speeds, double[] firstSpeeds, String format, String unit) {
        int rounds = speeds.length;
        double[] ratio = new double[rounds];
        for (int i = 0; i < rounds; i++) ratio[i] = speeds[i] / firstSpeeds[i];
        Arrays.sort(ratio);
        double[] sorted = speeds.clone();
        Arrays.sort(sorted);
        return String.format("median " + format + " " + unit + "  max " + format + "  | vs first: median %.3f (quartiles %.3f-%.3f)",
                sorted[rounds / 2], sorted[rounds - 1], ratio[rounds / 2], ratio[rounds / 4], ratio[3 * rounds / 4]);
    }
}
