package dev.zerolm.cli;

import dev.zerolm.autograd.GradMode;
import dev.zerolm.models.CausalLM;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.nn.KVCache;
import dev.zerolm.serve.ChatTemplate;
import dev.zerolm.serve.LanguageModel;
import dev.zerolm.serve.LoadTest;
import dev.zerolm.serve.ModelRegistry;
import dev.zerolm.serve.OpenAiServer;
import dev.zerolm.serve.ServeConfig;
import dev.zerolm.serve.ServedModel;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tokenize.ByteLevelBpe;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Callable;

/** `zerolm bench serve`: a load test of the HTTP server with concurrent streaming clients. */
@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load-test `zerolm serve`: N clients stream completions back to back for a fixed time.",
                "Without --url it starts a server in this JVM on a free port, over --model or a random small GPT.",
                "Example: zerolm bench serve --clients 8 --duration-s 30",
                "         zerolm bench serve --url http://127.0.0.1:8080 --model-name gpt2 --api-key sk-local"})
public final class BenchServeCommand implements Callable<Integer> {

    @Option(names = "--url", description = "A running server to load (default: start one here).") URI url;
    @Option(names = "--model-name", description = "The model to request from --url.") String modelName;
    @Option(names = "--api-key", description = "Key for --url.") String apiKey;
    @Option(names = "--model", paramLabel = "[NAME=]DIR", description = "Model to serve in-process (default: a random GPT, 4 layers x 128, BPE 512).") String model;
    @Option(names = "--clients", defaultValue = "8", description = "Concurrent streaming clients. Default: ${DEFAULT-VALUE}.") int clients;
    @Option(names = "--duration-s", defaultValue = "30", description = "Default: ${DEFAULT-VALUE}.") int durationSeconds;
    @Option(names = "--max-tokens", defaultValue = "32", description = "Tokens per request. Default: ${DEFAULT-VALUE}.") int maxTokens;
    @Option(names = "--prompt", defaultValue = "The jury said that the city", description = "Default: \"${DEFAULT-VALUE}\".") String prompt;
    @Option(names = "--workers", defaultValue = "8", description = "In-process server's workers. Default: ${DEFAULT-VALUE}.") int workers;
    @Option(names = "--batch-rows", defaultValue = "8", description = "In-process server's decoding batch (1: no batching). Default: ${DEFAULT-VALUE}.") int batchRows;
    @Option(names = "--random-layers", defaultValue = "4", description = "Layers of the random GPT. Default: ${DEFAULT-VALUE}.") int randomLayers;
    @Option(names = "--random-width", defaultValue = "128", description = "Width of the random GPT (64 per head). Default: ${DEFAULT-VALUE}.") int randomWidth;
    @Option(names = "--queue-size", defaultValue = "64", description = "In-process server's queue. Default: ${DEFAULT-VALUE}.") int queueSize;

    @Override
    public Integer call() throws Exception {
        OpenAiServer server = null;
        URI base = url;
        String name = modelName;
        if (base == null) {
            ModelRegistry registry = new ModelRegistry();
            ServedModel served = model != null ? ModelRegistry.load(model, 2048) : randomModel(randomLayers, randomWidth);
            registry.add(served);
            name = served.name();
            ServeConfig config = ServeConfig.defaults(0).withLimits(queueSize, workers, Duration.ofSeconds(120)).withBatchRows(batchRows);
            server = OpenAiServer.start(registry, config);
            base = URI.create("http://127.0.0.1:" + server.port());
            if (served instanceof LanguageModel lm) decodeThroughputByBatch(lm.model());
            System.err.printf("in-process server on %s: model %s, %d workers, queue %d, %s%n", base, name, workers, queueSize,
                    batchRows > 1 ? "decoding steps of up to " + batchRows + " choices" : "no batching");
        } else if (name == null) {
            throw new IllegalArgumentException("bench serve: --url needs --model-name");
        }
        try {
            System.err.printf("%d clients x %d s, %d tokens per request...%n", clients, durationSeconds, maxTokens);
            LoadTest.Result r = LoadTest.run(new LoadTest.Plan(base, apiKey, name, prompt, maxTokens, clients,
                    Duration.ofSeconds(durationSeconds)));
            System.out.printf("requests completed   %d (well-formed; malformed %d, failed %d, refused 429 %d)%n",
                    r.completed(), r.malformed(), r.failed(), r.refused());
            System.out.printf("requests/s           %.2f%n", r.requestsPerSecond());
            System.out.printf("tokens/s             %.1f  (%d tokens in %.1f s)%n", r.tokensPerSecond(), r.tokens(), r.seconds());
            System.out.printf("TTFT p50 / p99       %.1f ms / %.1f ms%n", 1e3 * r.ttftPercentile(50), 1e3 * r.ttftPercentile(99));
            if (r.firstProblem() != null) System.out.println("first problem        " + r.firstProblem());
            return r.malformed() + r.failed() == 0 ? 0 : 1;
        } finally {
            if (server != null) server.close();
        }
    }

    /** A random GPT-2-shaped model (layers x width, heads of 64, context 256) over a BPE of 512 tokens. */
    private static LanguageModel randomModel(int layers, int width) {
        if (width < 64 || width % 64 != 0) throw new IllegalArgumentException("bench serve: --random-width must be a multiple of 64, got " + width);
        String text = "The jury said that the city election was conducted well. The grand jury commented on a number of "
                + "other topics, among them the Atlanta and Fulton County purchasing departments which it said are well "
                + "operated and follow generally accepted practices which inure to the best interest of both governments. ";
        ByteLevelBpe bpe = ByteLevelBpe.train(text.repeat(4), 512);
        GPT gpt = new GPT(GPTConfig.gpt2(bpe.vocabSize(), 256, layers, width / 64, width), new Rng(1));
        gpt.eval();
        return ModelRegistry.language("random-gpt", gpt, bpe, ChatTemplate.DEFAULT);
    }

    /**
     * What batching can buy: tokens/s of one cached decode step for B sequences at once, B = 1, 2, 4, 8, after
     * a 64-token prompt. Without batching concurrent requests each step at B = 1; with it they step together.
     */
    private static void decodeThroughputByBatch(CausalLM model) {
        int prompt = Math.min(64, model.blockSize() / 2), steps = Math.min(32, model.blockSize() - prompt);
        System.err.println("decode tokens/s by batch size (one forward pass for B sequences):");
        boolean warmed = false;
        try (var ignored = GradMode.noGrad()) {
            for (int B : new int[] {8, 1, 2, 4, 8}) {          // the first pass warms the JIT up and is not shown
                boolean warmUp = B == 8 && prompt > 0 && !warmed;
                warmed = true;
                double best = 0;
                for (int rep = 0; rep < 3; rep++) {
                    KVCache cache = model.newKVCache(B);
                    model.forward(IntTensor.of(new int[B * prompt], B, prompt), cache, 0);
                    long t0 = System.nanoTime();
                    for (int s = 0; s < steps; s++) model.forward(IntTensor.of(new int[B], B, 1), cache, prompt + s);
                    best = Math.max(best, (double) B * steps / ((System.nanoTime() - t0) / 1e9));
                }
                if (!warmUp) System.err.printf("  B=%d  %8.1f tokens/s%n", B, best);
            }
        }
    }
}
