package dev.zerolm.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A user's classification data as JSON Lines: one object per line, {@code {"text": "...", "label": "positive"}};
 * the label may be a string or an integer (3 and "3" are the same label). Blank lines are skipped; anything else
 * that is not such an object is an error naming the file and line.
 */
public final class JsonlClassification {

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonlClassification() {}

    /** The examples of one file, in order; each one's source is "file:line". */
    public static List<TextExample> read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<TextExample> out = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) continue;
            String where = file + ":" + (i + 1);
            JsonNode node;
            try {
                node = JSON.readTree(line);
            } catch (JsonProcessingException e) {
                throw new IOException(where + ": not valid JSON: " + withoutStartMarker(e.getOriginalMessage()));
            }
            if (node == null || !node.isObject()) throw new IOException(where + ": expected a JSON object {\"text\": ..., \"label\": ...}");
            JsonNode text = node.get("text"), label = node.get("label");
            if (text == null || !text.isTextual()) throw new IOException(where + ": \"text\" is missing or not a string");
            if (label == null || !(label.isTextual() || label.isIntegralNumber())) {
                throw new IOException(where + ": \"label\" is missing or neither a string nor an integer");
            }
            String name = label.asText();
            if (name.isEmpty()) throw new IOException(where + ": \"label\" is empty");
            out.add(new TextExample(text.asText(), name, where));
        }
        if (out.isEmpty()) throw new IOException(file + ": holds no examples");
        return out;
    }

    /** Training and validation files as a task, labels from the training file. */
    public static ClassificationData load(Path train, Path valid) throws IOException {
        try {
            return ClassificationData.of(read(train), read(valid));
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** Jackson's reason without its "(start marker at [Source: REDACTED ...])": file:line already says where. */
    private static String withoutStartMarker(String reason) {
        int cut = reason.indexOf(" (start marker at");
        return cut >= 0 ? reason.substring(0, cut) : reason;
    }
}
