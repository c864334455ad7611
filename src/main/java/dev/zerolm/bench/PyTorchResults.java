package dev.zerolm.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What bench/pytorch_reference.py printed: its torch version, thread count and the BLAS library torch.mm ran
 * in (a Debian torch uses whatever libblas.so.3 the system has, from reference BLAS to OpenBLAS), and per row
 * id a result or the error that stopped it. The script prints one JSON object as its last
 * line of output:
 * <pre>
 * {"torch": "2.1.0", "threads": 2, "blas": "/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 (OpenBLAS, ...)",
 *  "results": {"gemm.1024x1024x1024.NN": {"median": 210.5, "min": 200.1, "max": 215.0, "samples": 12}, ...},
 *  "errors": {"train.C": "RuntimeError: ..."}}
 * </pre>
 */
public record PyTorchResults(String torchVersion, int threads, String blas, Map<String, Stats> results,
                             Map<String, String> errors) {

    /** Reads the last line of the script's standard output that starts with '{'. */
    public static PyTorchResults parse(String stdout) {
        String json = null;
        for (String line : stdout.split("\n")) if (line.strip().startsWith("{")) json = line.strip();
        if (json == null) {
            throw new IllegalArgumentException("pytorch_reference.py printed no JSON line; its output was:\n" + tail(stdout));
        }
        JsonNode root;
        try {
            root = BenchJson.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("pytorch_reference.py printed invalid JSON (" + e.getOriginalMessage() + "): "
                    + tail(json));
        }
        if (!root.path("torch").isTextual() || !root.path("threads").isInt()) {
            throw new IllegalArgumentException("pytorch_reference.py: expected \"torch\" (text) and \"threads\" (int) in " + tail(json));
        }
        Map<String, Stats> results = new LinkedHashMap<>();
        root.path("results").properties().forEach(e ->
                results.put(e.getKey(), BenchJson.statsOf(e.getValue(), "pytorch_reference.py result '" + e.getKey() + "'")));
        return new PyTorchResults(root.get("torch").asText(), root.get("threads").asInt(), root.path("blas").asText("unknown"),
                results, texts(root.path("errors")));
    }

    /** "PyTorch failed: " and the error of a row, or "" if it has none. */
    public String noteFor(String id) {
        return errors.containsKey(id) ? "PyTorch failed: " + errors.get(id) : "";
    }

    private static Map<String, String> texts(JsonNode node) {
        Map<String, String> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String tail(String s) {
        return s.length() <= 2000 ? s : "..." + s.substring(s.length() - 2000);
    }
}
