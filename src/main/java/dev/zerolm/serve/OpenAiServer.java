package dev.zerolm.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * An OpenAI-compatible HTTP server over the loaded models (Javalin on Jetty):
 * <pre>
 *   POST /v1/completions        text completion, optionally streamed as server-sent events
 *   POST /v1/chat/completions   chat through the model's {@link ChatTemplate}, optionally streamed
 *   POST /v1/embeddings        mean-pooled hidden states (causal models) or BERT's pooler output
 *   POST /v1/classify          labels and probabilities from a sequence classifier
 *   GET  /v1/models            what is loaded
 *   GET  /health, /ready, /metrics
 * </pre>
 * Requests run on a {@link WorkerPool}; every one builds its own KV cache. With batching on (the default), each
 * language model has a {@link DecodeBatcher} that advances the choices of all its running requests together, one
 * token per step. Errors are OpenAI's JSON error bodies.
 */
public final class OpenAiServer implements AutoCloseable {

    private static final Logger ACCESS = LoggerFactory.getLogger("dev.zerolm.serve.access");
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom IDS = new SecureRandom();
    private static final int MAX_CHOICES = 8;
    private static final int DEFAULT_COMPLETION_TOKENS = 16; // OpenAI's default max_tokens for /v1/completions

    /** Where a route handler leaves what the access log line reports. */
    private static final String ATTR_MODEL = "zerolm.model", ATTR_PROMPT = "zerolm.promptTokens", ATTR_DONE = "zerolm.completionTokens";

    private static final java.util.Set<String> ROUTES = java.util.Set.of("/health", "/ready", "/metrics", "/v1/models",
            "/v1/completions", "/v1/chat/completions", "/v1/embeddings", "/v1/classify");

    private final ModelRegistry models;
    private final ServeConfig config;
    private final WorkerPool pool;
    private final Map<String, DecodeBatcher> batchers = new HashMap<>();   // by model name; empty when batching is off
    private final ServeMetrics metrics;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean shuttingDown;
    private final Javalin app;

    private OpenAiServer(ModelRegistry models, ServeConfig config) {
        this.models = models;
        this.config = config;
        this.pool = new WorkerPool(config.workers(), config.queueSize());
        if (config.batchRows() > 1) {
            for (ServedModel m : models.all()) {
                if (m instanceof LanguageModel lm) batchers.put(lm.name(), new DecodeBatcher(lm, config.batchRows()));
            }
        }
        this.metrics = new ServeMetrics(pool::queueDepth, pool::busy,
                () -> batchers.values().stream().mapToInt(DecodeBatcher::running).sum());
        this.app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.startupWatcherEnabled = false;
            cfg.http.disableCompression();               // server-sent events must reach the client as written
            cfg.http.maxRequestSize = config.maxBodyBytes();
            cfg.jetty.defaultHost = config.host();
            cfg.requestLogger.http(this::logAccess);
        });
        app.before(ctx -> {
            inFlight.incrementAndGet();
            if (ctx.path().startsWith("/v1/") && !config.apiKeys().accepts(ctx.header("Authorization"))) {
                throw ApiException.unauthorized("Incorrect or missing API key: send 'Authorization: Bearer YOUR_KEY'");
            }
            if (shuttingDown && ctx.path().startsWith("/v1/")) throw ApiException.shuttingDown();
        });
        app.exception(ApiException.class, (e, ctx) -> writeError(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> writeError(ctx, fromJavalin(e)));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            writeError(ctx, ApiException.internal("The server failed on this request: " + e.getClass().getSimpleName()));
        });
        app.error(404, ctx -> {
            if (ctx.result() == null) writeError(ctx, new ApiException(404, "invalid_request_error", null, "unknown_url",
                    "Unknown request URL: " + ctx.method() + " " + ctx.path()));
        });
        app.error(405, ctx -> {
            if (ctx.result() == null) writeError(ctx, new ApiException(405, "invalid_request_error", null, "method_not_allowed",
                    "Method " + ctx.method() + " is not allowed on " + ctx.path()));
        });

        app.get("/health", ctx -> ctx.json(JSON.createObjectNode().put("status", "ok")));
        app.get("/ready", ctx -> {
            boolean ready = !shuttingDown && !models.all().isEmpty();
            ctx.status(ready ? 200 : 503).contentType("application/json")
                    .result(JSON.createObjectNode().put("status", ready ? "ready" : "not ready").toString());
        });
        app.get("/metrics", ctx -> ctx.contentType(metrics.contentType()).result(metrics.scrape()));
        app.get("/v1/models", this::listModels);
        app.get("/v1/models/{model}", ctx -> ctx.contentType("application/json").result(modelJson(models.get(ctx.pathParam("model"))).toString()));
        app.post("/v1/completions", ctx -> generate(ctx, false));
        app.post("/v1/chat/completions", ctx -> generate(ctx, true));
        app.post("/v1/embeddings", this::embeddings);
        app.post("/v1/classify", this::classify);
    }

    /** Builds the server and starts listening (port 0: any free port, see {@link #port()}). */
    public static OpenAiServer start(ModelRegistry models, ServeConfig config) {
        OpenAiServer server = new OpenAiServer(models, config);
        server.app.start(config.host(), config.port());
        return server;
    }

    public int port() {
        return app.port();
    }

    public ServeMetrics metrics() {
        return metrics;
    }

    /**
     * Graceful shutdown: /ready turns 503 and new work is refused (503), queued and running requests finish (up to
     * the request timeout), their responses are written, then the listener closes.
     */
    @Override
    public void close() {
        shuttingDown = true;
        try {
            pool.drain(config.timeout().toSeconds() + 1);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (inFlight.get() > 0 && System.nanoTime() < until) Thread.sleep(10);  // responses still being written
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            app.stop();
            pool.close();
            batchers.values().forEach(DecodeBatcher::close);
        }
    }

    // ------------------------------------------------------------------------------------------------ routes

    private void listModels(Context ctx) {
        ArrayNode data = JSON.createArrayNode();
        for (ServedModel m : models.all()) data.add(modelJson(m));
        ObjectNode out = JSON.createObjectNode().put("object", "list");
        out.set("data", data);
        ctx.contentType("application/json").result(out.toString());
    }

    private static ObjectNode modelJson(ServedModel m) {
        return JSON.createObjectNode().put("id", m.name()).put("object", "model").put("created", 0).put("owned_by", "zerolm")
                .put("kind", m.kind()).put("context_length", m.contextLength());
    }

    /** /v1/completions (chat false) and /v1/chat/completions (chat true). */
    private void generate(Context ctx, boolean chat) throws Exception {
        long arrived = System.nanoTime();
        RequestFields f = new RequestFields(readBody(ctx));
        LanguageModel model = languageModel(f.requiredString("model"), chat ? "/v1/chat/completions" : "/v1/completions");
        ctx.attribute(ATTR_MODEL, model.name());
        f.unsupported("logprobs", "top_logprobs", "echo", "suffix", "tools", "functions", "best_of");
        List<String> stop = f.stop();
        String prompt;
        if (chat) {
            prompt = model.chatTemplate().render(messages(f));
            for (String s : model.chatTemplate().stop()) if (!stop.contains(s)) stop.add(s);
        } else {
            prompt = promptText(f);
        }
        int[] ids = encode(model, prompt, chat ? "messages" : "prompt");
        if (ids.length == 0) throw ApiException.invalid(chat ? "messages" : "prompt", "The prompt is empty: give at least one token");
        int context = model.contextLength();
        if (ids.length > context) {
            throw new ApiException(400, "invalid_request_error", chat ? "messages" : "prompt", "context_length_exceeded",
                    "This model's maximum context length is " + context + " tokens, but the prompt is " + ids.length + " tokens");
        }
        Integer asked = f.optionalInteger(chat && f.node("max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens", 1);
        if (asked != null && asked > config.maxTokensCap()) {
            throw ApiException.invalid("max_tokens", "max_tokens is " + asked + " but this server generates at most "
                    + config.maxTokensCap() + " tokens per choice");
        }
        int maxTokens = Math.min(asked != null ? asked : chat ? config.maxTokensCap() : DEFAULT_COMPLETION_TOKENS,
                context - ids.length + 1);       // past the context a choice ends with finish_reason "length"
        int n = f.integer("n", 1, 1, MAX_CHOICES);
        float temperature = f.number("temperature", 1f, 0f, 2f);
        float topP = f.number("top_p", 1f, 1e-6f, 1f);
        boolean stream = f.bool("stream");
        JsonNode streamOptions = f.node("stream_options");
        boolean includeUsage = stream && streamOptions != null && streamOptions.path("include_usage").asBoolean(false);
        var params = new LanguageModel.Params(ids, n, maxTokens, temperature, topP, stop, f.seed());
        ctx.attribute(ATTR_PROMPT, ids.length);

        Response r = new Response((chat ? "chatcmpl-" : "cmpl-") + randomId(), System.currentTimeMillis() / 1000, model.name(), chat);
        long deadline = arrived + config.timeout().toNanos();
        if (!stream) {
            List<LanguageModel.Choice> choices = pool.run(cancelled ->
                    generate(model, params, new TokenTimer(model.name(), arrived, null), cancelled), deadline, config.timeout().toSeconds());
            int completionTokens = choices.stream().mapToInt(LanguageModel.Choice::tokens).sum();
            ctx.attribute(ATTR_DONE, completionTokens);
            ctx.contentType("application/json").result(r.full(choices, ids.length, completionTokens).toString());
            return;
        }
        SseWriter sse = new SseWriter(ctx);
        try {
            List<LanguageModel.Choice> choices = pool.run(cancelled -> {
                if (chat) for (int b = 0; b < n; b++) sse.send(r.chunk(b, "", null, true));
                var timer = new TokenTimer(model.name(), arrived, (b, text) -> {
                    if (!text.isEmpty()) sse.send(r.chunk(b, text, null, false));
                });
                List<LanguageModel.Choice> out = generate(model, params, timer, cancelled);
                for (int b = 0; b < n; b++) sse.send(r.chunk(b, "", out.get(b).finishReason(), false));
                int completionTokens = out.stream().mapToInt(LanguageModel.Choice::tokens).sum();
                if (includeUsage) sse.send(r.usageChunk(ids.length, completionTokens));
                sse.done();
                return out;
            }, deadline, config.timeout().toSeconds());
            ctx.attribute(ATTR_DONE, choices.stream().mapToInt(LanguageModel.Choice::tokens).sum());
        } catch (SseWriter.ClientGone e) {
            ctx.attribute(ATTR_DONE, "client_gone");   // the stream was cut: only the access log sees it
        } catch (ApiException e) {
            if (!sse.started()) throw e;          // nothing sent yet: an ordinary JSON error response
            ctx.status(e.status());
            sse.error(errorJson(e));              // mid-stream: an error event, and no [DONE]
        }
    }

    /** Generates on the model's batcher when there is one, else alone on this worker. */
    private List<LanguageModel.Choice> generate(LanguageModel model, LanguageModel.Params params, LanguageModel.TokenListener listener,
                                                BooleanSupplier cancelled) {
        DecodeBatcher batcher = batchers.get(model.name());
        if (batcher == null) return model.generate(params, listener, cancelled);
        try {
            return batcher.generate(params, listener, cancelled);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("interrupted while generating");
        }
    }

    private void embeddings(Context ctx) throws Exception {
        long arrived = System.nanoTime();
        RequestFields f = new RequestFields(readBody(ctx));
        ServedModel model = models.get(f.requiredString("model"));
        ctx.attribute(ATTR_MODEL, model.name());
        String format = f.node("encoding_format") == null ? "float" : f.requiredString("encoding_format");
        if (!format.equals("float") && !format.equals("base64")) {
            throw ApiException.invalid("encoding_format", "'encoding_format' must be 'float' or 'base64', got '" + format + "'");
        }
        if (f.node("dimensions") != null) throw ApiException.invalid("dimensions", "'dimensions' is not supported by this server");
        List<int[]> inputs = new ArrayList<>();
        for (Object input : inputs(f.node("input"))) {
            int[] ids = switch (model) {
                case LanguageModel lm -> input instanceof String s ? encode(lm, s, "input") : (int[]) input;
                case EncoderModel em -> input instanceof String s ? em.encode(s) : (int[]) input;
                default -> throw ApiException.invalid("model", "The model '" + model.name() + "' is a " + model.kind()
                        + "; embeddings come from a causal language model or an encoder");
            };
            if (ids.length == 0) throw ApiException.invalid("input", "An input is empty");
            if (ids.length > model.contextLength()) {
                throw new ApiException(400, "invalid_request_error", "input", "context_length_exceeded", "An input is "
                        + ids.length + " tokens but the model's maximum context length is " + model.contextLength());
            }
            for (int id : ids) {
                if (id < 0 || id >= vocabSize(model)) throw ApiException.invalid("input", "Token id " + id + " is outside the vocabulary");
            }
            inputs.add(ids);
        }
        List<float[]> vectors = pool.run(cancelled -> {
            List<float[]> out = new ArrayList<>();
            for (int[] ids : inputs) {
                if (cancelled.getAsBoolean()) throw new java.util.concurrent.CancellationException("embeddings timed out");
                out.add(model instanceof LanguageModel lm ? lm.embed(ids) : ((EncoderModel) model).embed(ids));
            }
            return out;
        }, arrived + config.timeout().toNanos(), config.timeout().toSeconds());
        ArrayNode data = JSON.createArrayNode();
        int tokens = 0;
        for (int i = 0; i < vectors.size(); i++) {
            ObjectNode e = data.addObject().put("object", "embedding").put("index", i);
            if (format.equals("base64")) e.put("embedding", base64(vectors.get(i)));
            else {
                ArrayNode v = e.putArray("embedding");
                for (float x : vectors.get(i)) v.add(x);
            }
            tokens += inputs.get(i).length;
        }
        ctx.attribute(ATTR_PROMPT, tokens);
        ObjectNode out = JSON.createObjectNode().put("object", "list");
        out.set("data", data);
        out.put("model", model.name());
        out.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
        ctx.contentType("application/json").result(out.toString());
    }

    private void classify(Context ctx) throws Exception {
        long arrived = System.nanoTime();
        RequestFields f = new RequestFields(readBody(ctx));
        ServedModel model = models.get(f.requiredString("model"));
        ctx.attribute(ATTR_MODEL, model.name());
        if (!(model instanceof ClassifierModel cm)) {
            throw ApiException.invalid("model", "The model '" + model.name() + "' is a " + model.kind() + ", not a classifier");
        }
        List<String> texts = new ArrayList<>();
        for (Object input : inputs(f.node("input"))) {
            if (!(input instanceof String s)) throw ApiException.invalid("input", "'input' must be a string or an array of strings");
            texts.add(s);
        }
        List<float[]> scores = pool.run(cancelled -> {
            List<float[]> out = new ArrayList<>();
            for (String t : texts) {
                if (cancelled.getAsBoolean()) throw new java.util.concurrent.CancellationException("classify timed out");
                out.add(cm.classifier().scores(t));
            }
            return out;
        }, arrived + config.timeout().toNanos(), config.timeout().toSeconds());
        List<String> labels = cm.classifier().labels();
        ObjectNode out = JSON.createObjectNode().put("object", "list").put("model", model.name());
        ArrayNode data = out.putArray("data");
        for (int i = 0; i < scores.size(); i++) {
            float[] s = scores.get(i);
            int best = 0;
            for (int k = 1; k < s.length; k++) if (s[k] > s[best]) best = k;
            ObjectNode item = data.addObject().put("object", "classification").put("index", i)
                    .put("label", labels.get(best)).put("score", s[best]);
            ObjectNode all = item.putObject("scores");
            for (int k = 0; k < s.length; k++) all.put(labels.get(k), s[k]);
        }
        ctx.contentType("application/json").result(out.toString());
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private LanguageModel languageModel(String name, String route) {
        ServedModel m = models.get(name);
        if (m instanceof LanguageModel lm) return lm;
        throw ApiException.invalid("model", "The model '" + name + "' is a " + m.kind() + " and cannot serve " + route);
    }

    private static int vocabSize(ServedModel m) {
        return m instanceof LanguageModel lm ? lm.model().vocabSize() : ((EncoderModel) m).model().config().vocabSize();
    }

    private static int[] encode(LanguageModel model, String text, String param) {
        try {
            return model.encode(text);
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid(param, "The text cannot be tokenized by this model: " + e.getMessage());
        }
    }

    /** "prompt": a string, or an array holding one string (the official clients send either). */
    private static String promptText(RequestFields f) {
        JsonNode p = f.node("prompt");
        if (p == null) throw ApiException.invalid("prompt", "Missing required parameter: 'prompt'");
        if (p.isTextual()) return p.asText();
        if (p.isArray() && p.size() == 1 && p.get(0).isTextual()) return p.get(0).asText();
        throw ApiException.invalid("prompt", "'prompt' must be a string (or an array of one string)");
    }

    private static List<ChatTemplate.Message> messages(RequestFields f) {
        JsonNode ms = f.node("messages");
        if (ms == null || !ms.isArray() || ms.isEmpty()) {
            throw ApiException.invalid("messages", "'messages' must be a non-empty array of {role, content}");
        }
        List<ChatTemplate.Message> out = new ArrayList<>();
        for (JsonNode m : ms) {
            if (!m.isObject() || !m.path("role").isTextual()) throw ApiException.invalid("messages", "Every message needs a string 'role'");
            JsonNode c = m.get("content");
            String content;
            if (c != null && c.isTextual()) content = c.asText();
            else if (c != null && c.isArray()) {            // [{"type": "text", "text": "..."}, ...]
                StringBuilder sb = new StringBuilder();
                for (JsonNode part : c) {
                    if (!"text".equals(part.path("type").asText()) || !part.path("text").isTextual()) {
                        throw ApiException.invalid("messages", "Only text content parts are supported");
                    }
                    sb.append(part.get("text").asText());
                }
                content = sb.toString();
            } else throw ApiException.invalid("messages", "Every message needs a string 'content'");
            out.add(new ChatTemplate.Message(m.get("role").asText(), content));
        }
        return out;
    }

    /** "input": a string, an array of strings, an array of token ids, or an array of arrays of token ids. */
    private static List<Object> inputs(JsonNode input) {
        String bad = "'input' must be a string, an array of strings, or token ids";
        if (input == null) throw ApiException.invalid("input", "Missing required parameter: 'input'");
        List<Object> out = new ArrayList<>();
        if (input.isTextual()) {
            out.add(input.asText());
        } else if (input.isArray() && !input.isEmpty() && input.get(0).isIntegralNumber()) {
            out.add(tokenIds(input, bad));
        } else if (input.isArray() && !input.isEmpty()) {
            for (JsonNode x : input) {
                if (x.isTextual()) out.add(x.asText());
                else if (x.isArray()) out.add(tokenIds(x, bad));
                else throw ApiException.invalid("input", bad);
            }
        } else {
            throw ApiException.invalid("input", bad);
        }
        if (out.size() > 256) throw ApiException.invalid("input", "At most 256 inputs per request, got " + out.size());
        return out;
    }

    private static int[] tokenIds(JsonNode array, String bad) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            if (!array.get(i).isIntegralNumber() || !array.get(i).canConvertToInt()) throw ApiException.invalid("input", bad);
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }

    /** The body as JSON, refusing more than --max-body-bytes (413) and anything that does not parse (400). */
    private JsonNode readBody(Context ctx) throws IOException {
        long limit = config.maxBodyBytes();
        if (ctx.req().getContentLengthLong() > limit) throw ApiException.tooLarge(limit);
        byte[] body;
        try (InputStream in = ctx.req().getInputStream()) {
            body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        }
        if (body.length > limit) throw ApiException.tooLarge(limit);
        try {
            JsonNode node = JSON.readTree(body);
            if (node == null || node.isMissingNode()) throw ApiException.invalid(null, "The request body is empty; send a JSON object");
            return node;
        } catch (JsonProcessingException e) {
            throw ApiException.invalid(null, "The request body is not valid JSON: " + e.getOriginalMessage());
        }
    }

    private static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) b.putFloat(x);
        return Base64.getEncoder().encodeToString(b.array());
    }

    private static String randomId() {
        byte[] b = new byte[12];
        IDS.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static ApiException fromJavalin(HttpResponseException e) {
        int s = e.getStatus();
        if (s == 413) return ApiException.tooLarge(-1);
        String type = s >= 500 ? "server_error" : "invalid_request_error";
        return new ApiException(s, type, null, null, e.getMessage());
    }

    static ObjectNode errorJson(ApiException e) {
        ObjectNode out = JSON.createObjectNode();
        ObjectNode err = out.putObject("error");
        err.put("message", e.getMessage()).put("type", e.type());
        if (e.param() == null) err.putNull("param");
        else err.put("param", e.param());
        if (e.code() == null) err.putNull("code");
        else err.put("code", e.code());
        return out;
    }

    private void writeError(Context ctx, ApiException e) {
        if (ctx.res().isCommitted()) return;
        ctx.status(e.status()).contentType("application/json").result(errorJson(e).toString());
        if (e.status() == 429) ctx.header("Retry-After", "1");
        if (e.status() == 401) ctx.header("WWW-Authenticate", "Bearer");
    }

    /** One line per request: key=value pairs an aggregator can split without a parser. */
    private void logAccess(Context ctx, Float ms) {
        try {
            metrics.request(route(ctx), ctx.statusCode());
            Object model = ctx.attribute(ATTR_MODEL), prompt = ctx.attribute(ATTR_PROMPT), done = ctx.attribute(ATTR_DONE);
            ACCESS.info("method={} path={} status={} ms={} remote={} model={} prompt_tokens={} completion_tokens={}",
                    ctx.method(), ctx.path(), ctx.statusCode(), String.format("%.1f", ms), ctx.ip(),
                    model == null ? "-" : model, prompt == null ? "-" : prompt, done == null ? "-" : done);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** The route a request matched, for the metrics label; unknown paths share one label (no unbounded cardinality). */
    private static String route(Context ctx) {
        try {
            return ctx.endpointHandlerPath();
        } catch (IllegalStateException e) {     // refused before routing (e.g. 401), or no route matched
            return ROUTES.contains(ctx.path()) ? ctx.path() : "unmatched";
        }
    }

    // ------------------------------------------------------------------------------------------------ responses

    /** The response objects of one completion request: the whole body, or its stream chunks. */
    private record Response(String id, long created, String model, boolean chat) {

        private ObjectNode head(boolean chunk) {
            String object = chat ? (chunk ? "chat.completion.chunk" : "chat.completion") : "text_completion";
            ObjectNode o = JSON.createObjectNode().put("id", id).put("object", object).put("created", created).put("model", model);
            o.putNull("system_fingerprint");
            return o;
        }

        ObjectNode full(List<LanguageModel.Choice> choices, int promptTokens, int completionTokens) {
            ObjectNode o = head(false);
            ArrayNode cs = o.putArray("choices");
            for (int b = 0; b < choices.size(); b++) {
                LanguageModel.Choice c = choices.get(b);
                ObjectNode item = cs.addObject().put("index", b);
                if (chat) item.putObject("message").put("role", "assistant").put("content", c.text());
                else item.put("text", c.text());
                item.putNull("logprobs");
                item.put("finish_reason", c.finishReason());
            }
            usage(o.putObject("usage"), promptTokens, completionTokens);
            return o;
        }

        /** A chunk with one choice's new text, or (text empty, finishReason set) its last chunk. */
        ObjectNode chunk(int index, String text, String finishReason, boolean role) {
            ObjectNode o = head(true);
            ObjectNode item = o.putArray("choices").addObject().put("index", index);
            if (chat) {
                ObjectNode delta = item.putObject("delta");
                if (role) delta.put("role", "assistant").put("content", "");
                else if (finishReason == null) delta.put("content", text);
            } else {
                item.put("text", text);
            }
            item.putNull("logprobs");
            if (finishReason == null) item.putNull("finish_reason");
            else item.put("finish_reason", finishReason);
            return o;
        }

        /** The extra last chunk of stream_options.include_usage: no choices, only usage. */
        ObjectNode usageChunk(int promptTokens, int completionTokens) {
            ObjectNode o = head(true);
            o.putArray("choices");
            usage(o.putObject("usage"), promptTokens, completionTokens);
            return o;
        }

        private static void usage(ObjectNode u, int promptTokens, int completionTokens) {
            u.put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                    .put("total_tokens", promptTokens + completionTokens);
        }
    }

    /** Records time to first token, inter-token latency and tokens generated, then passes tokens on. */
    private final class TokenTimer implements LanguageModel.TokenListener {
        private final String model;
        private final long arrived;
        private final LanguageModel.TokenListener next;
        private long last;

        TokenTimer(String model, long arrived, LanguageModel.TokenListener next) {
            this.model = model;
            this.arrived = arrived;
            this.next = next;
        }

        @Override
        public void onToken(int choice, String text) {
            long now = System.nanoTime();
            if (last == 0) metrics.timeToFirstToken(model, (now - arrived) / 1e9);
            else if (now != last) metrics.interTokenLatency(model, (now - last) / 1e9);
            last = now;
            metrics.tokens(model, 1);
            if (next != null) next.onToken(choice, text);
        }
    }

    /** Server-sent events on the raw response stream, flushed per event so each token leaves at once. */
    private static final class SseWriter {

        /** The client closed the connection; generation stops. */
        static final class ClientGone extends RuntimeException {
            ClientGone(IOException cause) {
                super("the client closed the connection", cause, false, false);
            }
        }

        private final Context ctx;
        private OutputStream out;

        SseWriter(Context ctx) {
            this.ctx = ctx;
        }

        boolean started() {
            return out != null;
        }

        void send(JsonNode event) {
            write("data: " + event + "\n\n");
        }

        void done() {
            write("data: [DONE]\n\n");
        }

        void error(JsonNode event) {
            try {
                write("data: " + event + "\n\n");
            } catch (ClientGone ignored) {
                // nobody is listening any more
            }
        }

        private void write(String s) {
            try {
                if (out == null) {
                    ctx.status(200);
                    ctx.res().setContentType("text/event-stream; charset=utf-8");
                    ctx.res().setHeader("Cache-Control", "no-cache");
                    ctx.res().setHeader("X-Accel-Buffering", "no");
                    out = ctx.res().getOutputStream();
                }
                out.write(s.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException e) {
                throw new ClientGone(e);
            }
        }
    }
}
