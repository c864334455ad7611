package dev.zerolm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The JSON-lines metrics log. */
class MetricsLogTest {

    @TempDir
    Path dir;

    /** A plausible falling loss with validation every 20 steps. */
    static List<StepMetrics> fakeRun(int steps) {
        List<StepMetrics> out = new ArrayList<>();
        for (int s = 0; s < steps; s++) {
            float loss = (float) (4.0 * Math.exp(-s / 30.0) + 1.5 + 0.05 * Math.sin(s));
            StepMetrics m = StepMetrics.train(s, loss, 6e-4f, 1000 + s, s * 0.5);
            out.add(s % 20 == 0 ? m.withValLoss(loss + 0.2f) : m);
        }
        return out;
    }

    @Test
    void metricsLogWritesOneParseableJsonObjectPerStep() throws IOException {
        Path file = dir.resolve("run/metrics.jsonl");
        try (MetricsLog log = MetricsLog.open(file, false)) {
            for (StepMetrics m : fakeRun(3)) log.log(m);
        }
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(3);
        ObjectMapper json = new ObjectMapper();
        JsonNode first = json.readTree(lines.get(0)), second = json.readTree(lines.get(1));
        assertThat(first.get("step").asInt()).isZero();
        assertThat(first.get("val_loss").isNumber()).isTrue();
        assertThat(second.has("val_loss")).as("no validation at step 1").isFalse();
        assertThat(second.fieldNames()).toIterable().containsExactly("step", "loss", "lr", "tokens_per_s", "elapsed_s");
        assertThat((float) second.get("lr").asDouble()).isEqualTo(6e-4f);
    }

    @Test
    void readingTheLogGivesBackWhatWasWrittenAndAppendKeepsEarlierLines() throws IOException {
        Path file = dir.resolve("metrics.jsonl");
        List<StepMetrics> run = fakeRun(5);
        try (MetricsLog log = MetricsLog.open(file, false)) {
            for (StepMetrics m : run.subList(0, 3)) log.log(m);
        }
        try (MetricsLog log = MetricsLog.open(file, true)) {
            for (StepMetrics m : run.subList(3, 5)) log.log(m);
        }
        assertThat(MetricsLog.read(file)).isEqualTo(run);
        try (MetricsLog log = MetricsLog.open(file, false)) {
            log.log(run.get(0));
        }
        assertThat(MetricsLog.read(file)).containsExactly(run.get(0));
    }

    @Test
    void divergedLossRoundTripsAsNaN() throws IOException {
        Path file = dir.resolve("nan.jsonl");
        try (MetricsLog log = MetricsLog.open(file, false)) {
            log.log(StepMetrics.train(7, Float.NaN, 1e-3f, 10, 1));
        }
        new ObjectMapper().readTree(Files.readString(file)); // still valid JSON
        assertThat(MetricsLog.read(file).get(0).loss()).isNaN();
    }

    @Test
    void malformedLogLineIsReportedWithFileAndLineNumber() throws IOException {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"step\":0,\"loss\":1,\"lr\":1,\"tokens_per_s\":1,\"elapsed_s\":0}\n{\"step\":1}\n");
        assertThatThrownBy(() -> MetricsLog.read(file)).hasMessageContaining("bad.jsonl line 2").hasMessageContaining("'loss'");
    }
}
