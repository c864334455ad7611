package dev.zerolm.cli;

import dev.zerolm.serve.ApiKeys;
import dev.zerolm.serve.ModelRegistry;
import dev.zerolm.serve.OpenAiServer;
import dev.zerolm.serve.ServeConfig;
import dev.zerolm.serve.ServedModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** `zerolm serve`: an OpenAI-compatible HTTP API over one or more model directories. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Serve models over an OpenAI-compatible HTTP API (completions, chat, embeddings, classify).",
                "Example: zerolm serve --model models/gpt2 --model enc=models/bert-tiny --port 8080 --api-key sk-local"})
public final class ServeCommand implements Callable<Integer> {

    @Option(names = "--model", required = true, paramLabel = "[NAME=]DIR",
            description = "A model directory (Hugging Face gpt2/llama/bert, a BERT sequence classifier, or a ZeroLM checkpoint). "
                    + "Served under the directory's name, or NAME. Repeatable.")
    List<String> models;

    @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind. Default: ${DEFAULT-VALUE}.") String host;
    @Option(names = "--port", defaultValue = "8080", description = "Default: ${DEFAULT-VALUE}.") int port;
    @Option(names = "--api-key", description = "A key clients must send as 'Authorization: Bearer KEY' (repeatable).") List<String> apiKeys;
    @Option(names = "--api-keys-file", description = "A file of keys, one per line (# comments).") Path apiKeysFile;
    @Option(names = "--max-body-bytes", defaultValue = "1048576", description = "Larger bodies get 413. Default: ${DEFAULT-VALUE}.") long maxBodyBytes;
    @Option(names = "--max-tokens-cap", defaultValue = "512", description = "Most tokens one choice may generate. Default: ${DEFAULT-VALUE}.") int maxTokensCap;
    @Option(names = "--timeout-s", defaultValue = "60", description = "Per-request limit, queueing included (504 after). Default: ${DEFAULT-VALUE}.") long timeoutSeconds;
    @Option(names = "--queue-size", defaultValue = "16", description = "Requests that may wait for a worker; more get 429. Default: ${DEFAULT-VALUE}.") int queueSize;
    @Option(names = "--workers", defaultValue = "8", description = "Requests in progress at once (each reads its prompt on its "
            + "worker; with batching their tokens are then generated together). Default: ${DEFAULT-VALUE}.") int workers;
    @Option(names = "--batch-rows", defaultValue = "8", description = "Most choices of concurrent requests that one decoding step "
            + "advances together; 1 turns batching off (each request decodes alone on its worker). Default: ${DEFAULT-VALUE}.") int batchRows;
    @Option(names = "--context", defaultValue = "2048", description = "Longest context of a Hugging Face rotary model (bounds each KV cache). Default: ${DEFAULT-VALUE}.") int context;

    @Override
    public Integer call() throws Exception {
        List<String> keys = new ArrayList<>();
        if (apiKeys != null) keys.addAll(apiKeys);
        if (apiKeysFile != null) keys.addAll(ApiKeys.readFile(apiKeysFile));
        ServeConfig config = new ServeConfig(host, port, ApiKeys.of(keys), maxBodyBytes, maxTokensCap,
                Duration.ofSeconds(timeoutSeconds), queueSize, workers, batchRows);
        ModelRegistry registry = new ModelRegistry();
        for (String spec : models) {
            ServedModel m = ModelRegistry.load(spec, context);
            registry.add(m);
            System.err.printf("loaded %s (%s, context %d)%n", m.name(), m.kind(), m.contextLength());
        }
        if (keys.isEmpty() && !host.equals("127.0.0.1") && !host.equals("localhost")) {
            System.err.println("warning: listening on " + host + " without API keys; anyone who can reach it may use it");
        }
        OpenAiServer server = OpenAiServer.start(registry, config);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {     // SIGTERM / Ctrl-C: finish what is in flight
            System.err.println("shutting down: finishing requests in flight");
            server.close();
            stopped.countDown();
        }, "zerolm-serve-shutdown"));
        System.err.printf("serving on http://%s:%d/v1 (%d workers, queue %d, %s)%n", host, server.port(), workers, queueSize,
                batchRows > 1 ? "decoding steps of up to " + batchRows + " choices" : "no batching");
        stopped.await();
        return 0;
    }
}
