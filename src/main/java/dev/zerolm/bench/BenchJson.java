package dev.zerolm.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The bench report as JSON (for --json FILE, to compare runs by script), and the {@link Stats} object format
 * {@code {"median": .., "min": .., "max": .., "samples": n}} that the child JVMs and the PyTorch script print too.
 */
public final class BenchJson {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private BenchJson() {}

    public static String toJson(BenchReport r) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("zerolm", r.version());
        ObjectNode m = root.putObject("machine");
        m.put("cpu", r.machine().cpuModel());
        m.put("cores", r.machine().cores());
        m.put("jdk", r.machine().jdk());
        m.put("os", r.machine().os());
        m.put("threads", r.machine().threads());
        m.put("vector_bits", r.machine().vectorBits());
        ObjectNode t = root.putObject("timing");
        t.put("warmup_steps", r.plan().warmupSteps());
        t.put("timed_steps", r.plan().timedSteps());
        t.put("min_warmup_seconds", r.plan().minWarmupSeconds());
        t.put("min_timed_seconds", r.plan().minTimedSeconds());
        t.put("max_timed_steps", r.plan().maxTimedSteps());
        if (r.pytorch() == null) {
            root.putNull("pytorch");
        } else {
            ObjectNode p = root.putObject("pytorch");
            p.put("version", r.pytorch().version());
            p.put("threads", r.pytorch().threads());
            p.put("python", r.pytorch().python());
            p.put("blas", r.pytorch().blas());
        }
        var rows = root.putArray("rows");
        for (BenchRow row : r.rows()) {
            ObjectNode o = rows.addObject();
            o.put("id", row.id());
            o.put("label", row.label());
            o.put("unit", row.unit());
            o.set("zerolm", statsNode(row.zerolm()));
            o.set("pytorch", statsNode(row.pytorch()));
            if (Double.isNaN(row.ratio())) o.putNull("ratio");
            else o.put("ratio", row.ratio());
            o.put("note", row.note());
        }
        var notes = root.putArray("notes");
        r.notes().forEach(notes::add);
        try {
            return MAPPER.writeValueAsString(root) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException("bench: could not write the report as JSON: " + e.getMessage(), e);
        }
    }

    public static void write(BenchReport r, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        Files.writeString(file, toJson(r));
    }

    /** {"median", "min", "max", "samples"}, or JSON null for a missing result. */
    static JsonNode statsNode(Stats s) {
        if (s == null) return MAPPER.nullNode();
        ObjectNode o = MAPPER.createObjectNode();
        o.put("median", s.median());
        o.put("min", s.min());
        o.put("max", s.max());
        o.put("samples", s.samples());
        return o;
    }

    /** The inverse of {@link #statsNode}; where names what is being read, for errors. */
    static Stats statsOf(JsonNode node, String where) {
        if (node == null || node.isNull()) return null;
        for (String field : new String[] {"median", "min", "max", "samples"}) {
            if (!node.path(field).isNumber()) {
                throw new IllegalArgumentException(where + ": expected a number in field '" + field + "', got " + node);
            }
        }
        return new Stats(node.get("median").asDouble(), node.get("min").asDouble(), node.get("max").asDouble(),
                node.get("samples").asInt());
    }
}
