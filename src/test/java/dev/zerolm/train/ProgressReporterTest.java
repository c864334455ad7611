package dev.zerolm.train;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress line: in place on a terminal, periodic plain lines elsewhere. */
class ProgressReporterTest {

    /** A clock the test moves by hand. */
    static final class FakeClock {
        long nanos;

        void advanceSeconds(double s) {
            nanos += (long) (s * 1e9);
        }
    }

    @Test
    void plainProgressPrintsTheFirstStepThenEveryIntervalAndTheLast() {
        var bytes = new ByteArrayOutputStream();
        var clock = new FakeClock();
        var reporter = new ProgressReporter(100, new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 10.0, () -> clock.nanos);
        for (int step = 0; step < 100; step++) {
            clock.advanceSeconds(1.0);
            reporter.step(step, 3.0f, 6e-4f, 2048);
        }
        reporter.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(12); // steps 1, 11, 21, ..., 91, 100 and the summary
        assertThat(lines[0]).isEqualTo("step   1/100 | loss 3.0000 | lr 6.00e-04 | 2,048 tok/s | 1s | ETA 1m39s");
        assertThat(lines[1]).startsWith("step  11/100").contains("| 2,048 tok/s | 11s | ETA 1m29s");
        assertThat(lines[10]).startsWith("step 100/100").endsWith("| 1m40s | done");
        assertThat(lines[11]).isEqualTo("done: 100 steps in 1m40s, 2,048 tok/s on average");
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("\r");
    }

    @Test
    void terminalProgressRedrawsOneLineInPlaceAndKeepsValidationLines() {
        var bytes = new ByteArrayOutputStream();
        var clock = new FakeClock();
        var reporter = new ProgressReporter(3, new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 10.0, () -> clock.nanos);
        clock.advanceSeconds(1);
        reporter.step(0, 12.5f, 1e-3f, 100);
        reporter.validation(0, 12.75f);
        clock.advanceSeconds(1);
        reporter.step(1, 2.5f, 1e-3f, 100);
        clock.advanceSeconds(1);
        reporter.step(2, 2.25f, 1e-3f, 100);
        reporter.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertThat(lines).hasSize(3);
        // Line 1: the progress of step 1, then the validation line drawn over it (padded to cover it) and ended.
        String[] first = lines[0].split("\r");
        assertThat(first).hasSize(3);
        assertThat(first[1]).isEqualTo("step 1/3 | loss 12.5000 | lr 1.00e-03 | 100 tok/s | 1s | ETA 2s");
        assertThat(first[2]).startsWith("step 0: val loss 12.7500 ").hasSameSizeAs(first[1]);
        // Line 2: steps 2 and 3 redrawn in place, ended by finish().
        String[] second = lines[1].split("\r");
        assertThat(second).hasSize(3);
        assertThat(second[1]).isEqualTo("step 2/3 | loss 2.5000 | lr 1.00e-03 | 100 tok/s | 2s | ETA 1s");
        assertThat(second[2]).isEqualTo("step 3/3 | loss 2.2500 | lr 1.00e-03 | 100 tok/s | 3s | done  ");
        assertThat(lines[2]).isEqualTo("done: 3 steps in 3s, 100 tok/s on average");
        assertThat(reporter.lastStepShown()).isTrue();
    }

    @Test
    void durationsReadNaturally() {
        assertThat(ProgressReporter.duration(42.4)).isEqualTo("42s");
        assertThat(ProgressReporter.duration(187)).isEqualTo("3m07s");
        assertThat(ProgressReporter.duration(7509)).isEqualTo("2h05m09s");
        assertThat(ProgressReporter.duration(Double.POSITIVE_INFINITY)).isEqualTo("?");
    }
}
