package dev.zerolm.serve;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

/** Typed reads of an OpenAI request body's fields; a wrong type or range is a 400 naming the field. */
final class RequestFields {

    private final JsonNode body;

    RequestFields(JsonNode body) {
        if (body == null || !body.isObject()) throw ApiException.invalid(null, "The request body must be a JSON object");
        this.body = body;
    }

    JsonNode node(String name) {
        JsonNode n = body.get(name);
        return n == null || n.isNull() ? null : n;
    }

    String requiredString(String name) {
        JsonNode n = node(name);
        if (n == null) throw ApiException.invalid(name, "Missing required parameter: '" + name + "'");
        if (!n.isTextual()) throw ApiException.invalid(name, "'" + name + "' must be a string");
        return n.asText();
    }

    int integer(String name, int fallback, int min, int max) {
        JsonNode n = node(name);
        if (n == null) return fallback;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw ApiException.invalid(name, "'" + name + "' must be an integer");
        int v = n.asInt();
        if (v < min || v > max) throw ApiException.invalid(name, "'" + name + "' must be in [" + min + ", " + max + "], got " + v);
        return v;
    }

    /** An integer without an upper bound check (the caller compares it with a limit and says which). */
    Integer optionalInteger(String name, int min) {
        JsonNode n = node(name);
        if (n == null) return null;
        if (!n.isIntegralNumber() || !n.canConvertToInt()) throw ApiException.invalid(name, "'" + name + "' must be an integer");
        if (n.asInt() < min) throw ApiException.invalid(name, "'" + name + "' must be at least " + min + ", got " + n.asInt());
        return n.asInt();
    }

    long seed() {
        JsonNode n = node("seed");
        if (n == null) return System.nanoTime();
        if (!n.isIntegralNumber() || !n.canConvertToLong()) throw ApiException.invalid("seed", "'seed' must be an integer");
        return n.asLong();
    }

    float number(String name, float fallback, float min, float max) {
        JsonNode n = node(name);
        if (n == null) return fallback;
        if (!n.isNumber()) throw ApiException.invalid(name, "'" + name + "' must be a number");
        float v = (float) n.asDouble();
        if (!(v >= min && v <= max)) throw ApiException.invalid(name, "'" + name + "' must be in [" + min + ", " + max + "], got " + n.asDouble());
        return v;
    }

    boolean bool(String name) {
        JsonNode n = node(name);
        if (n == null) return false;
        if (!n.isBoolean()) throw ApiException.invalid(name, "'" + name + "' must be a boolean");
        return n.asBoolean();
    }

    /** "stop": null, a string, or an array of up to 4 strings. */
    List<String> stop() {
        JsonNode n = node("stop");
        List<String> out = new ArrayList<>();
        if (n == null) return out;
        if (n.isTextual()) {
            out.add(n.asText());
        } else if (n.isArray() && n.size() <= 4) {
            for (JsonNode s : n) {
                if (!s.isTextual()) throw ApiException.invalid("stop", "'stop' must be a string or an array of up to 4 strings");
                out.add(s.asText());
            }
        } else {
            throw ApiException.invalid("stop", "'stop' must be a string or an array of up to 4 strings");
        }
        out.removeIf(String::isEmpty);
        return out;
    }

    /** Refuses options this server does not implement rather than silently ignoring them. */
    void unsupported(String... names) {
        for (String name : names) {
            JsonNode n = node(name);
            if (n != null && !(n.isBoolean() && !n.asBoolean()) && !(n.isNumber() && n.asInt() == 0)) {
                throw ApiException.invalid(name, "'" + name + "' is not supported by this server");
            }
        }
    }
}
