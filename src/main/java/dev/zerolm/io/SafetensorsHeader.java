package dev.zerolm.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The parsed and fully validated JSON header of one safetensors file. Validation happens before anything is
 * allocated from the header's numbers, so a hostile file can only produce an error, never a huge allocation.
 *
 * @param tensors  tensor infos in header order
 * @param metadata the optional "__metadata__" string map
 */
record SafetensorsHeader(Map<String, TensorInfo> tensors, Map<String, String> metadata) {

    /** Same cap as the reference implementation: no real header comes close. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    static final String METADATA_KEY = "__metadata__";

    /** Rejects duplicate keys and trailing garbage instead of silently picking one reading. */
    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** Parses {@code json} and checks every entry against a data buffer of {@code bufferSize} bytes. */
    static SafetensorsHeader parse(Path file, byte[] json, long bufferSize) throws SafetensorsException {
        JsonNode root = parseJson(file, json, "header");
        if (!root.isObject()) {
            throw new SafetensorsException(file, null, "header must be a JSON object, found " + kind(root));
        }
        Map<String, TensorInfo> tensors = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                metadata = stringMap(file, field.getValue());
            } else {
                TensorInfo info = tensorInfo(file, field.getKey(), field.getValue(), bufferSize);
                tensors.put(info.name(), info);
            }
        }
        checkLayout(file, tensors.values(), bufferSize);
        return new SafetensorsHeader(Collections.unmodifiableMap(tensors), metadata);
    }

    /** Strict UTF-8 decoding, then JSON; both failures become a SafetensorsException naming the file. */
    static JsonNode parseJson(Path file, byte[] json, String what) throws SafetensorsException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(file, null, what + " is not valid UTF-8", e);
        }
        try {
            JsonNode root = JSON.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new SafetensorsException(file, null, what + " is empty, expected a JSON object");
            }
            return root;
        } catch (JsonProcessingException e) {
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw new SafetensorsException(file, null, what + " is not valid JSON" + where + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new SafetensorsException(file, null, what + " could not be parsed: " + e.getMessage(), e);
        }
    }

    private static Map<String, String> stringMap(Path file, JsonNode node) throws SafetensorsException {
        if (!node.isObject()) {
            throw new SafetensorsException(file, null, METADATA_KEY + " must be an object of strings, found "
                    + kind(node));
        }
        Map<String, String> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new SafetensorsException(file, null, METADATA_KEY + " value for '" + entry.getKey()
                        + "' must be a string, found " + kind(entry.getValue()));
            }
            map.put(entry.getKey(), entry.getValue().textValue());
        }
        return Collections.unmodifiableMap(map);
    }

    private static TensorInfo tensorInfo(Path file, String name, JsonNode entry, long bufferSize)
            throws SafetensorsException {
        if (!entry.isObject()) {
            throw new SafetensorsException(file, name, "entry must be an object with dtype, shape and "
                    + "data_offsets, found " + kind(entry));
        }
        JsonNode dtypeNode = required(file, name, entry, "dtype");
        if (!dtypeNode.isTextual()) {
            throw new SafetensorsException(file, name, "dtype must be a string, found " + kind(dtypeNode));
        }
        DType dtype = DType.fromName(dtypeNode.textValue()).orElseThrow(() -> new SafetensorsException(file, name,
                "unknown dtype '" + dtypeNode.textValue() + "' (supported: " + Arrays.toString(DType.values()) + ")"));

        long[] shape = nonNegativeLongs(file, name, required(file, name, entry, "shape"), "shape", -1);
        long[] offsets = nonNegativeLongs(file, name, required(file, name, entry, "data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end + "] begin after end");
        }
        if (end > bufferSize) {
            throw new SafetensorsException(file, name, "data_offsets [" + begin + ", " + end
                    + "] run past the end of the data buffer (" + bufferSize + " bytes)");
        }
        long expected;
        try {
            expected = TensorData.byteSizeOf(name, dtype, shape);
        } catch (IllegalArgumentException tooBig) {
            throw new SafetensorsException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " is larger than any file");
        }
        if (expected != end - begin) {
            throw new SafetensorsException(file, name, "shape " + Arrays.toString(shape) + " of " + dtype + " needs "
                    + expected + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static JsonNode required(Path file, String name, JsonNode entry, String key) throws SafetensorsException {
        JsonNode value = entry.get(key);
        if (value == null) throw new SafetensorsException(file, name, "entry has no '" + key + "'");
        return value;
    }

    /** An array of non-negative integers that fit in a long; {@code length} -1 means any length. */
    private static long[] nonNegativeLongs(Path file, String name, JsonNode node, String key, int length)
            throws SafetensorsException {
        String expected = key + " must be an array of " + (length < 0 ? "" : length + " ") + "non-negative integers";
        if (!node.isArray() || (length >= 0 && node.size() != length)) {
            throw new SafetensorsException(file, name, expected + ", found " + brief(node));
        }
        long[] values = new long[node.size()];
        for (int i = 0; i < values.length; i++) {
            JsonNode element = node.get(i);
            if (!element.isIntegralNumber() || !element.canConvertToLong() || element.longValue() < 0) {
                throw new SafetensorsException(file, name,
                        expected + ", found " + brief(element) + " in " + brief(node));
            }
            values[i] = element.longValue();
        }
        return values;
    }

    /**
     * Byte ranges, sorted by position, must tile [0, bufferSize) exactly: an overlap would alias two tensors
     * and a gap would hide bytes nobody accounts for.
     */
    private static void checkLayout(Path file, Iterable<TensorInfo> infos, long bufferSize)
            throws SafetensorsException {
        List<TensorInfo> sorted = new ArrayList<>();
        infos.forEach(sorted::add);
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        TensorInfo previous = null;
        for (TensorInfo info : sorted) {
            if (info.begin() < covered) {
                throw new SafetensorsException(file, info.name(), "bytes [" + info.begin() + ", " + info.end()
                        + ") overlap tensor '" + previous.name() + "' at [" + previous.begin() + ", "
                        + previous.end() + ")");
            }
            if (info.begin() > covered) {
                String after = previous == null ? "the start of the buffer" : "tensor '" + previous.name() + "'";
                throw new SafetensorsException(file, info.name(), "gap: data bytes [" + covered + ", "
                        + info.begin() + ") between " + after + " and this tensor belong to no tensor");
            }
            covered = info.end();
            previous = info;
        }
        if (covered != bufferSize) {
            String after = previous == null ? "(there are no tensors)" : "after tensor '" + previous.name() + "'";
            throw new SafetensorsException(file, previous == null ? null : previous.name(), "gap: data bytes ["
                    + covered + ", " + bufferSize + ") at the end of the buffer belong to no tensor " + after);
        }
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** The node as JSON, cut short so a hostile header cannot make a megabyte-long message. */
    private static String brief(JsonNode node) {
        if (node.isContainerNode() && node.size() > 16) return kind(node) + " of " + node.size() + " elements";
        String text = node.toString();
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
