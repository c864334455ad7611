package dev.zerolm.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * N clients that each send streaming completions back to back for a fixed time, checking that every stream is
 * complete and well formed: JSON chunks of one id, text_completion objects, one finish_reason, a usage chunk and
 * the closing [DONE].
 */
public final class LoadTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** What to send and for how long. */
    public record Plan(URI baseUrl, String apiKey, String model, String prompt, int maxTokens, int clients, Duration duration) {}

    /**
     * The outcome. ttft: seconds from sending to the first chunk with text, per completed request.
     *
     * @param malformed   responses that were 200 but not a complete, well-formed stream (with the first reason)
     * @param refused     429 answers (queue full)
     */
    public record Result(int completed, int malformed, int refused, int failed, long tokens, double seconds,
                         List<Double> ttft, String firstProblem) {

        public double requestsPerSecond() {
            return completed / seconds;
        }

        public double tokensPerSecond() {
            return tokens / seconds;
        }

        public double ttftPercentile(double p) {
            if (ttft.isEmpty()) return Double.NaN;
            List<Double> sorted = new ArrayList<>(ttft);
            Collections.sort(sorted);
            int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
        }
    }

    private LoadTest() {}

    public static Result run(Plan plan) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        long start = System.nanoTime(), end = start + plan.duration().toNanos();
        ExecutorService clients = Executors.newFixedThreadPool(plan.clients());
        List<Future<Tally>> tallies = new ArrayList<>();
        for (int c = 0; c < plan.clients(); c++) {
            int client = c;
            tallies.add(clients.submit(() -> {
                Tally t = new Tally();
                for (int i = 0; System.nanoTime() < end; i++) oneRequest(http, plan, client * 1_000_003L + i, t);
                return t;
            }));
        }
        Tally all = new Tally();
        for (Future<Tally> f : tallies) all.add(f.get());
        clients.shutdown();
        double seconds = (System.nanoTime() - start) / 1e9;
        return new Result(all.completed, all.malformed, all.refused, all.failed, all.tokens, seconds, all.ttft, all.firstProblem);
    }

    private static void oneRequest(HttpClient http, Plan plan, long seed, Tally t) {
        ObjectNode body = JSON.createObjectNode().put("model", plan.model()).put("prompt", plan.prompt())
                .put("max_tokens", plan.maxTokens()).put("temperature", 0.8).put("seed", seed).put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        HttpRequest.Builder req = HttpRequest.newBuilder(plan.baseUrl().resolve("/v1/completions"))
                .timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (plan.apiKey() != null) req.header("Authorization", "Bearer " + plan.apiKey());
        long sent = System.nanoTime();
        try {
            HttpResponse<InputStream> r = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() == 429) {
                r.body().close();
                t.refused++;
                Thread.sleep(50);
                return;
            }
            if (r.statusCode() != 200) {
                t.problem("HTTP " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
                t.failed++;
                return;
            }
            String problem = null;
            double ttft = Double.NaN;
            String id = null;
            int finishes = 0;
            long usageTokens = -1;
            boolean done = false;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null && problem == null) {
                    if (line.isEmpty()) continue;
                    if (done) problem = "data after [DONE]";
                    else if (!line.startsWith("data: ")) problem = "not an SSE data line: " + line;
                    else if (line.equals("data: [DONE]")) done = true;
                    else {
                        JsonNode chunk = JSON.readTree(line.substring(6));
                        if (id == null) id = chunk.path("id").asText();
                        if (!chunk.path("id").asText().equals(id)) problem = "chunk ids differ";
                        else if (!"text_completion".equals(chunk.path("object").asText())) problem = "object is not text_completion";
                        else if (chunk.path("choices").isEmpty()) usageTokens = chunk.path("usage").path("completion_tokens").asLong(-1);
                        else {
                            JsonNode c = chunk.get("choices").get(0);
                            if (Double.isNaN(ttft) && !c.path("text").asText().isEmpty()) ttft = (System.nanoTime() - sent) / 1e9;
                            if (!c.path("finish_reason").isNull()) finishes++;
                        }
                    }
                }
            }
            if (problem == null && !done) problem = "the stream ended without [DONE]";
            if (problem == null && finishes != 1) problem = finishes + " finish_reason chunks";
            if (problem == null && usageTokens < 1) problem = "no usage chunk";
            if (problem != null) {
                t.problem(problem);
                t.malformed++;
                return;
            }
            t.completed++;
            t.tokens += usageTokens;
            if (!Double.isNaN(ttft)) t.ttft.add(ttft);
        } catch (Exception e) {
            t.problem(e.toString());
            t.failed++;
        }
    }

    /** One client's counts. */
    private static final class Tally {
        int completed, malformed, refused, failed;
        long tokens;
        final List<Double> ttft = new ArrayList<>();
        String firstProblem;

        void problem(String p) {
            if (firstProblem == null) firstProblem = p;
        }

        void add(Tally o) {
            completed += o.completed;
            malformed += o.malformed;
            refused += o.refused;
            failed += o.failed;
            tokens += o.tokens;
            ttft.addAll(o.ttft);
            if (firstProblem == null) firstProblem = o.firstProblem;
        }
    }
}
