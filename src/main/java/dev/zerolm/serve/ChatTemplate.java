package dev.zerolm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns chat messages into the one prompt a causal model continues. Each message becomes its role's format with
 * {content} replaced; the assistant's turn is opened with generationPrompt, and generation stops at any of stop
 * (the start of the next user turn), so the reply is only the assistant's text.
 * <p>The default, for models that bring none, is plain text any tokenizer can encode:
 * <pre>
 *   System: {content}\n
 *   User: {content}\n
 *   Assistant: {content}\n
 *   Assistant:                  &lt;- generation starts here; stops at "\nUser:"
 * </pre>
 * A model directory may hold {@value #FILE} with the same fields to use its own format (Jinja templates in
 * tokenizer_config.json are not interpreted).
 */
public record ChatTemplate(Map<String, String> roles, String generationPrompt, List<String> stop) {

    public static final String FILE = "chat_template.json";

    public static final ChatTemplate DEFAULT = new ChatTemplate(
            Map.of("system", "System: {content}\n", "user", "User: {content}\n", "assistant", "Assistant: {content}\n"),
            "Assistant:", List.of("\nUser:", "\nSystem:"));

    public ChatTemplate {
        roles = Map.copyOf(roles);
        stop = List.copyOf(stop);
    }

    /** One chat message; OpenAI's "developer" role counts as "system". */
    public record Message(String role, String content) {}

    /** The directory's {@value #FILE}, else {@link #DEFAULT}. */
    public static ChatTemplate forModel(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) return DEFAULT;
        JsonNode j = new ObjectMapper().readTree(file.toFile());
        Map<String, String> roles = new java.util.HashMap<>(DEFAULT.roles);
        for (String role : List.of("system", "user", "assistant")) {
            if (j.hasNonNull(role)) roles.put(role, j.get(role).asText());
        }
        String gen = j.path("generation_prompt").asText(DEFAULT.generationPrompt);
        List<String> stop = new ArrayList<>();
        if (j.has("stop")) j.get("stop").forEach(s -> stop.add(s.asText()));
        else stop.addAll(DEFAULT.stop);
        for (String role : roles.keySet()) {
            if (!roles.get(role).contains("{content}")) throw new IOException(file + ": the '" + role + "' format has no {content}");
        }
        return new ChatTemplate(roles, gen, stop);
    }

    /** The prompt for the messages, ending with the opened assistant turn. */
    public String render(List<Message> messages) {
        StringBuilder sb = new StringBuilder();
        for (Message m : messages) {
            String role = m.role().equals("developer") ? "system" : m.role();
            String format = roles.get(role);
            if (format == null) throw ApiException.invalid("messages", "message role '" + m.role()
                    + "' is not supported (use system, developer, user or assistant)");
            sb.append(format.replace("{content}", m.content()));
        }
        return sb.append(generationPrompt).toString();
    }
}
