package dev.zerolm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerolm.finetune.FineTunedModel;
import dev.zerolm.finetune.TaskEncoder;
import dev.zerolm.models.Bert;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tokenize.WordPiece;
import dev.zerolm.train.Checkpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** The server on a free port, driven over real HTTP by java.net.http, as any OpenAI client would drive it. */
class OpenAiServerTest {

    private static final String KEY = "sk-test-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long SLOW_MS = 40;

    @TempDir
    static Path tmp;

    private static OpenAiServer server;
    private static ModelRegistry models;
    private static HttpClient http;
    private static String base;
    private static final ServeTestModels.Gate gate = new ServeTestModels.Gate();   // holds the "held" model's passes

    @BeforeAll
    static void start() throws Exception {
        Path gptDir = ServeTestModels.tinyGptCheckpoint(tmp.resolve("tiny-gpt"));
        models = new ModelRegistry();
        models.add(ModelRegistry.load(gptDir.toString(), 0));
        models.add(ModelRegistry.load("bert=" + ServeTestModels.tinyBert(), 0));
        models.add(ModelRegistry.load("sentiment=" + ServeTestModels.tinyBertClassifier(tmp.resolve("cls")), 0));
        models.add(ModelRegistry.load("spam=" + ServeTestModels.tinyFineTunedClassifier(tmp.resolve("ft"), gptDir), 0));
        models.add(ModelRegistry.language("slow", new ServeTestModels.SlowLM(Checkpoint.loadModel(gptDir), SLOW_MS),
                Checkpoint.loadTokenizer(gptDir), ChatTemplate.DEFAULT));
        models.add(ModelRegistry.language("held", new ServeTestModels.SlowLM(Checkpoint.loadModel(gptDir), 0, gate),
                Checkpoint.loadTokenizer(gptDir), ChatTemplate.DEFAULT));
        ServeConfig config = ServeConfig.defaults(0).withApiKeys(ApiKeys.of(List.of(KEY, "sk-other")))
                .withLimits(2, 2, Duration.ofSeconds(120)).withMaxBodyBytes(4096);   // a loaded CI host is slow: no 504 here
        server = OpenAiServer.start(models, config);
        base = "http://127.0.0.1:" + server.port();
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    // ------------------------------------------------------------------------------------------------ completions

    @Test
    void completionReturnsOpenAiShapeWithUsage() throws Exception {
        HttpResponse<String> r = post("/v1/completions", """
                {"model": "tiny-gpt", "prompt": "the cat", "max_tokens": 6, "temperature": 0}""");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("id").asText()).startsWith("cmpl-");
        assertThat(j.get("object").asText()).isEqualTo("text_completion");
        assertThat(j.get("created").asLong()).isPositive();
        assertThat(j.get("model").asText()).isEqualTo("tiny-gpt");
        JsonNode choice = j.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("finish_reason").asText()).isIn("stop", "length");
        JsonNode usage = j.get("usage");
        int completion = usage.get("completion_tokens").asInt();
        assertThat(completion).isBetween(1, 6);
        if (choice.get("finish_reason").asText().equals("length")) assertThat(completion).isEqualTo(6);
        assertThat(usage.get("prompt_tokens").asInt()).isEqualTo(models.get("tiny-gpt") instanceof LanguageModel lm ? lm.encode("the cat").length : -1);
        assertThat(usage.get("total_tokens").asInt()).isEqualTo(usage.get("prompt_tokens").asInt() + completion);
    }

    @Test
    void greedyCompletionIsDeterministicAndStopStringEndsIt() throws Exception {
        String body = """
                {"model": "tiny-gpt", "prompt": "the dog", "max_tokens": 12, "temperature": 0}""";
        String text = completionText(post("/v1/completions", body));
        assertThat(completionText(post("/v1/completions", body))).isEqualTo(text);
        // Stop at the first character the model produced after the first two: the text must end right before it.
        if (text.length() >= 3) {
            String stop = text.substring(2, 3);
            JsonNode j = JSON.readTree(post("/v1/completions", """
                    {"model": "tiny-gpt", "prompt": "the dog", "max_tokens": 12, "temperature": 0, "stop": %s}"""
                    .formatted(JSON.writeValueAsString(stop))).body());
            JsonNode c = j.get("choices").get(0);
            assertThat(c.get("text").asText()).isEqualTo(text.substring(0, text.indexOf(stop)));
            assertThat(c.get("finish_reason").asText()).isEqualTo("stop");
        }
    }

    @Test
    void severalChoicesAreGeneratedAsOneBatchWithTheirOwnSeeds() throws Exception {
        JsonNode j = JSON.readTree(post("/v1/completions", """
                {"model": "tiny-gpt", "prompt": ["a bird"], "max_tokens": 8, "n": 3, "temperature": 1.0, "seed": 42}""").body());
        JsonNode choices = j.get("choices");
        assertThat(choices).hasSize(3);
        for (int i = 0; i < 3; i++) assertThat(choices.get(i).get("index").asInt()).isEqualTo(i);
        String again = post("/v1/completions", """
                {"model": "tiny-gpt", "prompt": "a bird", "max_tokens": 8, "n": 3, "temperature": 1.0, "seed": 42}""").body();
        assertThat(JSON.readTree(again).get("choices")).isEqualTo(choices);
    }

    @Test
    void chatCompletionAnswersAsAssistant() throws Exception {
        HttpResponse<String> r = post("/v1/chat/completions", """
                {"model": "tiny-gpt", "messages": [{"role": "system", "content": "be brief"},
                 {"role": "user", "content": "the cat"}], "max_tokens": 5, "temperature": 0}""");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode j = JSON.readTree(r.body());
        assertThat(j.get("id").asText()).startsWith("chatcmpl-");
        assertThat(j.get("object").asText()).isEqualTo("chat.completion");
        JsonNode message = j.get("choices").get(0).get("message");
        assertThat(message.get("role").asText()).isEqualTo("assistant");
        assertThat(message.get("content").isTextual()).isTrue();
        LanguageModel lm = (LanguageModel) models.get("tiny-gpt");
        int promptTokens = lm.encode("System: be brief\nUser: the cat\nAssistant:").length;
        assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(promptTokens);
    }

    @Test
    void streamedCompletionArrivesChunkByChunkAndEqualsTheWholeResponse() throws Exception {
        String whole = completionText(post("/v1/completions", """
                {"model": "tiny-gpt", "prompt": "the sun", "max_tokens": 10, "temperature": 0}"""));
        HttpResponse<InputStream> r = http.send(request("/v1/completions", """
                {"model": "tiny-gpt", "prompt": "the sun", "max_tokens": 10, "temperature": 0, "stream": true,
                 "stream_options": {"include_usage": true}}""", KEY), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String> events = readEvents(r.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        StringBuilder text = new StringBuilder();
        String finish = null, id = null;
        JsonNode usage = null;
        for (String e : events.subList(0, events.size() - 1)) {
            JsonNode chunk = JSON.readTree(e);
            assertThat(chunk.get("object").asText()).isEqualTo("text_completion");
            if (id == null) id = chunk.get("id").asText();
            assertThat(chunk.get("id").asText()).isEqualTo(id);
            if (chunk.get("choices").isEmpty()) {
                usage = chunk.get("usage");
                continue;
            }
            JsonNode c = chunk.get("choices").get(0);
            text.append(c.get("text").asText());
            if (!c.get("finish_reason").isNull()) finish = c.get("finish_reason").asText();
        }
        assertThat(text.toString()).isEqualTo(whole);
        assertThat(finish).isIn("stop", "length");
        assertThat(usage).isNotNull();
        assertThat(usage.get("completion_tokens").asInt()).isBetween(1, 10);
    }

    @Test
    void streamedChatStartsWithTheRoleAndEndsWithFinishReason() throws Exception {
        HttpResponse<InputStream> r = http.send(request("/v1/chat/completions", """
                {"model": "tiny-gpt", "messages": [{"role": "user", "content": "hello"}], "max_tokens": 6,
                 "temperature": 0, "stream": true}""", KEY), HttpResponse.BodyHandlers.ofInputStream());
        List<String> events = readEvents(r.body());
        assertThat(events.getLast()).isEqualTo("[DONE]");
        JsonNode first = JSON.readTree(events.getFirst());
        assertThat(first.get("object").asText()).isEqualTo("chat.completion.chunk");
        assertThat(first.get("choices").get(0).get("delta").get("role").asText()).isEqualTo("assistant");
        JsonNode last = JSON.readTree(events.get(events.size() - 2)).get("choices").get(0);
        assertThat(last.get("delta").isEmpty()).isTrue();
        assertThat(last.get("finish_reason").asText()).isIn("stop", "length");
    }

    // ------------------------------------------------------------------------------------------------ embeddings, classify

    @Test
    void embeddingsOfACausalModelAreMeanPooledHiddenStatesAsFloatsOrBase64() throws Exception {
        JsonNode j = JSON.readTree(post("/v1/embeddings", """
                {"model": "tiny-gpt", "input": ["the cat", "a dog"]}""").body());
        assertThat(j.get("object").asText()).isEqualTo("list");
        assertThat(j.get("data")).hasSize(2);
        JsonNode first = j.get("data").get(0);
        assertThat(first.get("object").asText()).isEqualTo("embedding");
        assertThat(first.get("embedding")).hasSize(32);
        LanguageModel lm = (LanguageModel) models.get("tiny-gpt");
        float[] direct = lm.embed(lm.encode("the cat"));
        for (int i = 0; i < 32; i++) assertThat(first.get("embedding").get(i).floatValue()).isCloseTo(direct[i], within(1e-6f));

        JsonNode b64 = JSON.readTree(post("/v1/embeddings", """
                {"model": "tiny-gpt", "input": "the cat", "encoding_format": "base64"}""").body());
        ByteBuffer bytes = ByteBuffer.wrap(Base64.getDecoder().decode(b64.get("data").get(0).get("embedding").asText()))
                .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 32; i++) assertThat(bytes.getFloat()).isEqualTo(direct[i]);
    }

    @Test
    void embeddingsOfBertAreItsPoolerOutput() throws Exception {
        JsonNode j = JSON.readTree(post("/v1/embeddings", """
                {"model": "bert", "input": "hello world"}""").body());
        JsonNode v = j.get("data").get(0).get("embedding");
        Bert bert = Bert.fromPretrained(ServeTestModels.tinyBert());
        bert.eval();
        int[] ids = WordPiece.load(ServeTestModels.tinyBert()).encodeForModel("hello world").ids();
        float[] pooled = bert.forward(IntTensor.of(ids, 1, ids.length), null, null).pooled().contiguous().toArray();
        assertThat(v).hasSize(pooled.length);
        for (int i = 0; i < pooled.length; i++) assertThat(v.get(i).floatValue()).isCloseTo(pooled[i], within(1e-5f));
        assertThat(j.get("usage").get("prompt_tokens").asInt()).isEqualTo(ids.length);
    }

    @Test
    void classifyReturnsTheLikeliestLabelAndEveryScore() throws Exception {
        HttpResponse<String> r = post("/v1/classify", """
                {"model": "sentiment", "input": ["a fine day", "hello"]}""");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode data = JSON.readTree(r.body()).get("data");
        assertThat(data).hasSize(2);
        TextClassifier direct = ((ClassifierModel) models.get("sentiment")).classifier();
        assertThat(direct.labels()).containsExactly("negative", "positive");
        float[] expected = direct.scores("a fine day");
        JsonNode item = data.get(0);
        assertThat(item.get("scores").get("negative").floatValue() + item.get("scores").get("positive").floatValue())
                .isCloseTo(1f, within(1e-5f));
        assertThat(item.get("scores").get("positive").floatValue()).isCloseTo(expected[1], within(1e-6f));
        assertThat(item.get("label").asText()).isEqualTo(expected[1] > expected[0] ? "positive" : "negative");
        assertThat(item.get("score").floatValue()).isCloseTo(Math.max(expected[0], expected[1]), within(1e-6f));
    }

    @Test
    void classifyServesAModelFromZerolmFinetune() throws Exception {
        HttpResponse<String> r = post("/v1/classify", "{\"model\": \"spam\", \"input\": \"the dog ate the bone\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode item = JSON.readTree(r.body()).get("data").get(0);
        FineTunedModel direct = FineTunedModel.load(tmp.resolve("ft"));
        int[] ids = new TaskEncoder(direct.tokenizer(), direct.spec().maxLength()).text("the dog ate the bone");
        float[] p = direct.model().logits(IntTensor.of(ids, 1, ids.length), null).softmax(-1).toArray();
        assertThat(item.get("scores").get("ham").floatValue()).isCloseTo(p[0], within(1e-6f));
        assertThat(item.get("scores").get("spam").floatValue()).isCloseTo(p[1], within(1e-6f));
        assertThat(item.get("label").asText()).isEqualTo(p[1] > p[0] ? "spam" : "ham");
        assertThat(post("/v1/classify", "{\"model\": \"tiny-gpt\", \"input\": \"x\"}").statusCode()).isEqualTo(400);
    }

    @Test
    void modelsListsEveryLoadedModel() throws Exception {
        JsonNode j = JSON.readTree(get("/v1/models", KEY).body());
        List<String> ids = new ArrayList<>();
        j.get("data").forEach(m -> ids.add(m.get("id").asText()));
        assertThat(ids).containsExactly("tiny-gpt", "bert", "sentiment", "spam", "slow", "held");
        assertThat(j.get("data").get(0).get("object").asText()).isEqualTo("model");
    }

    // ------------------------------------------------------------------------------------------------ errors

    @Test
    void missingOrWrongApiKeyGets401InOpenAiErrorFormat() throws Exception {
        HttpResponse<String> none = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/models")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(none.statusCode()).isEqualTo(401);
        assertOpenAiError(none, "invalid_request_error");
        assertThat(JSON.readTree(none.body()).get("error").get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(get("/v1/models", "sk-test-kez").statusCode()).isEqualTo(401);
        assertThat(get("/v1/models", "sk-other").statusCode()).isEqualTo(200);
        assertThat(get("/health", null).statusCode()).isEqualTo(200);
        assertThat(get("/ready", null).statusCode()).isEqualTo(200);
    }

    @Test
    void oversizedBodyGets413AndMalformedJsonGets400AndTheServerCarriesOn() throws Exception {
        String big = "{\"model\": \"tiny-gpt\", \"prompt\": \"" + "a".repeat(5000) + "\"}";
        HttpResponse<String> tooBig = post("/v1/completions", big);
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertOpenAiError(tooBig, "invalid_request_error");

        for (String bad : List.of("{\"model\": ", "[1, 2]", "", "null", "{\"model\": 5, \"prompt\": \"x\"}",
                "{\"model\": \"tiny-gpt\", \"prompt\": \"x\", \"max_tokens\": \"ten\"}",
                "{\"model\": \"tiny-gpt\", \"prompt\": \"x\", \"temperature\": 9}",
                "{\"model\": \"tiny-gpt\", \"messages\": [{\"role\": \"tool\", \"content\": \"x\"}]}")) {
            String route = bad.contains("messages") ? "/v1/chat/completions" : "/v1/completions";
            HttpResponse<String> r = post(route, bad);
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
            assertOpenAiError(r, "invalid_request_error");
        }
        assertThat(post("/v1/completions", """
                {"model": "tiny-gpt", "prompt": "still alive", "max_tokens": 2}""").statusCode()).isEqualTo(200);
    }

    @Test
    void unknownModelGets404AndAPathIsNeverOpened() throws Exception {
        for (String name : List.of("gpt-4", "../tiny-gpt", tmp.resolve("tiny-gpt").toString())) {
            HttpResponse<String> r = post("/v1/completions", "{\"model\": " + JSON.writeValueAsString(name) + ", \"prompt\": \"x\"}");
            assertThat(r.statusCode()).isEqualTo(404);
            assertOpenAiError(r, "invalid_request_error");
            assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("model_not_found");
        }
        assertThat(post("/v1/completions", "{\"model\": \"bert\", \"prompt\": \"x\"}").statusCode()).isEqualTo(400);
        assertThat(post("/v1/nothing", "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void promptLongerThanTheContextAndMaxTokensOverTheCapGet400() throws Exception {
        HttpResponse<String> r = post("/v1/completions", "{\"model\": \"tiny-gpt\", \"prompt\": \""
                + "the cat sat on the mat ".repeat(20) + "\"}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").get("code").asText()).isEqualTo("context_length_exceeded");
        HttpResponse<String> cap = post("/v1/completions", """
                {"model": "tiny-gpt", "prompt": "x", "max_tokens": 100000}""");
        assertThat(cap.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(cap.body()).get("error").get("param").asText()).isEqualTo("max_tokens");
    }

    // ------------------------------------------------------------------------------------------------ concurrency

    @Test
    void requestsBeyondWorkersAndQueueGet429WithRetryAfter() throws Exception {
        String held = """
                {"model": "held", "prompt": "the cat", "max_tokens": 4, "temperature": 0}""";
        List<CompletableFuture<HttpResponse<String>>> running = new ArrayList<>();
        // A server of its own: a request another test left running on the shared one would take a worker here.
        try (OpenAiServer busy = OpenAiServer.start(models, ServeConfig.defaults(0).withLimits(2, 2, Duration.ofSeconds(120)))) {
            String url = "http://127.0.0.1:" + busy.port();
            gate.shut();
            try {
                for (int i = 0; i < 4; i++) {             // 2 workers + a queue of 2
                    running.add(http.sendAsync(requestTo(url, "/v1/completions", held, null), HttpResponse.BodyHandlers.ofString()));
                }
                awaitMetric(url, "zerolm_queue_depth", 2.0, 20_000);
                awaitMetric(url, "zerolm_requests_in_progress", 2.0, 20_000);   // both workers held at the gate
                HttpResponse<String> refused = http.send(requestTo(url, "/v1/completions", held, null), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).isEqualTo(429);
                assertThat(refused.headers().firstValue("Retry-After")).contains("1");
                assertOpenAiError(refused, "server_busy");
            } finally {
                gate.open();
            }
            for (var f : running) assertThat(f.get().statusCode()).isEqualTo(200);
        }
    }

    @Test
    void clientThatDisconnectsMidStreamFreesItsWorker() throws Exception {
        int maxTokens = 64;                        // about 64 x 40 ms = 2.6 s if it ran to the end
        HttpResponse<InputStream> r = http.send(request("/v1/completions", """
                {"model": "slow", "prompt": "the cat", "max_tokens": %d, "temperature": 0, "stop": [], "stream": true}"""
                .formatted(maxTokens), KEY), HttpResponse.BodyHandlers.ofInputStream());
        BufferedReader reader = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8));
        assertThat(reader.readLine()).startsWith("data: ");
        assertThat(metric("zerolm_requests_in_progress")).isEqualTo(1.0);
        long closed = System.nanoTime();
        r.body().close();
        awaitMetric("zerolm_requests_in_progress", 0.0, 1500);
        assertThat((System.nanoTime() - closed) / 1e6).isLessThan(1500.0);
    }

    @Test
    void requestPastItsTimeoutGets504AndStops() throws Exception {
        ServeConfig config = ServeConfig.defaults(0).withLimits(1, 1, Duration.ofSeconds(1));
        try (OpenAiServer quick = OpenAiServer.start(models, config)) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + quick.port() + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString("""
                            {"model": "slow", "prompt": "the", "max_tokens": 60, "temperature": 0}""")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(504);
            assertOpenAiError(r, "timeout");
        }
    }

    @Test
    void shutdownFinishesTheRequestInFlightAndRefusesNewWork() throws Exception {
        OpenAiServer closing = OpenAiServer.start(models, ServeConfig.defaults(0));
        String url = "http://127.0.0.1:" + closing.port();
        String held = """
                {"model": "held", "prompt": "the", "max_tokens": 5, "temperature": 0, "stop": []}""";
        Thread closer = new Thread(closing::close, "closer");
        gate.shut();
        try {
            var inFlight = http.sendAsync(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(held)).build(), HttpResponse.BodyHandlers.ofString());
            awaitGate(1, 20_000);                     // the request is on a worker, held in its first forward pass
            closer.start();
            long until = System.currentTimeMillis() + 20_000;
            while (http.send(HttpRequest.newBuilder(URI.create(url + "/ready")).build(), HttpResponse.BodyHandlers.ofString())
                    .statusCode() != 503) {
                assertThat(System.currentTimeMillis()).as("/ready never turned 503").isLessThan(until);
                Thread.sleep(10);
            }
            HttpResponse<String> late = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/completions"))
                    .POST(HttpRequest.BodyPublishers.ofString(held)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(late.statusCode()).isEqualTo(503);
            gate.open();
            HttpResponse<String> r = inFlight.get(20, TimeUnit.SECONDS);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).get("usage").get("completion_tokens").asInt()).isEqualTo(5);
        } finally {
            gate.open();
            if (closer.getState() == Thread.State.NEW) closing.close();
            else closer.join(30_000);
        }
        assertThat(closer.isAlive()).as("close() returned").isFalse();
    }

    @Test
    void metricsExposeRequestsTokensLatenciesAndQueueDepth() throws Exception {
        post("/v1/completions", """
                {"model": "tiny-gpt", "prompt": "metrics", "max_tokens": 3, "temperature": 0}""");
        String text = get("/metrics", null).body();
        assertThat(text).contains("zerolm_http_requests_total{route=\"/v1/completions\",status=\"200\"}");
        assertThat(text).containsPattern("zerolm_generated_tokens_total\\{model=\"tiny-gpt\"} [1-9]");
        assertThat(text).contains("zerolm_time_to_first_token_seconds_bucket{model=\"tiny-gpt\"");
        assertThat(text).contains("zerolm_inter_token_latency_seconds_count{model=\"tiny-gpt\"}");
        assertThat(text).contains("zerolm_queue_depth ");
        assertThat(text).contains("zerolm_decode_batch_rows ");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static HttpRequest request(String path, String body, String key) {
        return requestTo(base, path, body, key);
    }

    private static HttpRequest requestTo(String url, String path, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(120))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return b.build();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(request(path, body, KEY), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String path, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String completionText(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).get("choices").get(0).get("text").asText();
    }

    /** The data of every server-sent event, read line by line as the events arrive. */
    private static List<String> readEvents(InputStream body) throws Exception {
        List<String> events = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                if (line.isEmpty()) continue;
                assertThat(line).startsWith("data: ");
                events.add(line.substring(6));
            }
        }
        return events;
    }

    private static void assertOpenAiError(HttpResponse<String> r, String type) throws Exception {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        JsonNode error = JSON.readTree(r.body()).get("error");
        assertThat(error).as(r.body()).isNotNull();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.get("type").asText()).isEqualTo(type);
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
    }

    private static double metric(String name) throws Exception {
        return metric(base, name);
    }

    private static double metric(String url, String name) throws Exception {
        String body = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(body);
        assertThat(m.find()).as(name).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void awaitGate(int passes, long timeoutMillis) throws Exception {
        long until = System.currentTimeMillis() + timeoutMillis;
        while (gate.waiting() != passes) {
            assertThat(System.currentTimeMillis()).as("passes held at the gate never reached " + passes).isLessThan(until);
            Thread.sleep(10);
        }
    }

    private static void awaitMetric(String name, double value, long timeoutMillis) throws Exception {
        awaitMetric(base, name, value, timeoutMillis);
    }

    private static void awaitMetric(String url, String name, double value, long timeoutMillis) throws Exception {
        long until = System.currentTimeMillis() + timeoutMillis;
        while (metric(url, name) != value) {
            assertThat(System.currentTimeMillis()).as(name + " never reached " + value).isLessThan(until);
            Thread.sleep(10);
        }
    }
}
