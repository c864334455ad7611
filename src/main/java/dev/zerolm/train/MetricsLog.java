package dev.zerolm.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON-lines metrics file: one object per logged step,
 * {@code {"step":120,"loss":3.2145,"val_loss":3.3012,"lr":6.0E-4,"tokens_per_s":12345.6,"elapsed_s":62.5}},
 * with val_loss only on steps that ran validation. Each line is flushed as it is written, so the file is
 * complete up to the last step even if training is killed. A non-finite loss is written as the string "NaN".
 */
public final class MetricsLog implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path file;
    private final BufferedWriter out;

    private MetricsLog(Path file, BufferedWriter out) {
        this.file = file;
        this.out = out;
    }

    /** Opens file for writing; append keeps earlier lines (a resumed run), else the file starts empty. */
    public static MetricsLog open(Path file, boolean append) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        var mode = append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING;
        return new MetricsLog(file, Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, mode));
    }

    /** Appends one line and flushes it. */
    public void log(StepMetrics m) {
        ObjectNode line = JSON.createObjectNode();
        line.put("step", m.step());
        line.put("loss", m.loss());
        if (m.valLoss() != null) line.put("val_loss", m.valLoss());
        line.put("lr", m.lr());
        line.put("tokens_per_s", m.tokensPerSecond());
        line.put("elapsed_s", m.elapsedSeconds());
        try {
            out.write(JSON.writeValueAsString(line));
            out.newLine();
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("metrics log " + file + ": cannot write step " + m.step(), e);
        }
    }

    /** Every entry of a metrics file, in file order; blank lines are skipped. Errors name the file and line. */
    public static List<StepMetrics> read(Path file) throws IOException {
        List<StepMetrics> out = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            String text = lines.get(i);
            if (text.isBlank()) continue;
            try {
                JsonNode n = JSON.readTree(text);
                JsonNode val = n.get("val_loss");
                out.add(new StepMetrics(required(n, "step").asInt(), (float) required(n, "loss").asDouble(),
                        val == null || val.isNull() ? null : (float) val.asDouble(), (float) required(n, "lr").asDouble(),
                        required(n, "tokens_per_s").asDouble(), required(n, "elapsed_s").asDouble()));
            } catch (IOException | IllegalArgumentException e) {
                throw new IOException("metrics log " + file + " line " + (i + 1) + ": " + e.getMessage(), e);
            }
        }
        return out;
    }

    private static JsonNode required(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null) throw new IllegalArgumentException("missing field '" + field + "'");
        return v;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
