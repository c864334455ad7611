package dev.zerolm.serve;

import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.ByteLevelBpe;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DecodeBatcherTest {

    private LanguageModel model;
    private DecodeBatcher batcher;

    @BeforeEach
    void setUp() {
        ByteLevelBpe bpe = ByteLevelBpe.train(ServeTestModels.CORPUS, 300);
        GPT gpt = new GPT(GPTConfig.gpt2(bpe.vocabSize(), 64, 2, 2, 32), new Rng(7));
        Rng rng = new Rng(8);                    // confident predictions: no near-ties for rounding to flip
        for (Tensor p : gpt.parameters()) p.copyFrom(Tensor.randn(rng, 0f, 0.3f, p.shape()));
        gpt.eval();
        model = ModelRegistry.language("gpt", gpt, bpe, ChatTemplate.DEFAULT);
        batcher = new DecodeBatcher(model, 4);
    }

    @AfterEach
    void tearDown() {
        batcher.close();
    }

    private LanguageModel.Params params(String prompt, int n, int maxTokens, float temperature, long seed) {
        return new LanguageModel.Params(model.encode(prompt), n, maxTokens, temperature, 1f, List.of(), seed);
    }

    private static String texts(List<LanguageModel.Choice> choices) {
        StringBuilder s = new StringBuilder();
        for (LanguageModel.Choice c : choices) s.append(c.finishReason()).append(':').append(c.tokens()).append(':').append(c.text()).append('|');
        return s.toString();
    }

    @Test
    void concurrentRequestsGetWhatEachWouldGetAlone() throws Exception {
        List<LanguageModel.Params> requests = List.of(
                params("the cat", 1, 12, 0f, 1), params("a bird sang in the", 2, 9, 0.8f, 2),
                params("we", 3, 15, 1f, 3), params("she reads a book by", 1, 5, 0f, 4),
                params("the dog ate", 2, 11, 0.5f, 5), params("the sun", 1, 14, 1f, 6));
        List<String> alone = new ArrayList<>();
        for (LanguageModel.Params p : requests) alone.add(texts(model.generate(p, (c, t) -> {}, () -> false)));

        ExecutorService clients = Executors.newFixedThreadPool(requests.size());   // more choices (10) than rows (4)
        try {
            List<Future<String>> together = new ArrayList<>();
            for (LanguageModel.Params p : requests) together.add(clients.submit(() -> texts(batcher.generate(p, (c, t) -> {}, () -> false))));
            for (int i = 0; i < requests.size(); i++) assertThat(together.get(i).get()).as("request %d", i).isEqualTo(alone.get(i));
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void streamedPiecesAddUpToEachChoicesText() throws Exception {
        StringBuilder[] streamed = {new StringBuilder(), new StringBuilder()};
        List<LanguageModel.Choice> out = batcher.generate(params("the cat sat", 2, 10, 1f, 9), (c, t) -> streamed[c].append(t), () -> false);
        for (int c = 0; c < 2; c++) assertThat(streamed[c].toString()).isEqualTo(out.get(c).text());
    }

    @Test
    void aCancelledRequestStopsAndTheOthersCarryOn() throws Exception {
        AtomicInteger tokens = new AtomicInteger();
        assertThatThrownBy(() -> batcher.generate(params("the", 1, 40, 1f, 1), (c, t) -> tokens.incrementAndGet(), () -> tokens.get() >= 3))
                .isInstanceOf(CancellationException.class);
        assertThat(tokens.get()).isLessThan(40);
        LanguageModel.Params p = params("the dog", 1, 8, 0f, 2);
        assertThat(texts(batcher.generate(p, (c, t) -> {}, () -> false))).isEqualTo(texts(model.generate(p, (c, t) -> {}, () -> false)));
        waitUntilIdle();
    }

    @Test
    void aListenerThatFailsEndsItsRequestOnly() throws Exception {
        assertThatThrownBy(() -> batcher.generate(params("the", 1, 30, 1f, 1), (c, t) -> {
            throw new IllegalStateException("client gone");
        }, () -> false)).hasMessage("client gone");
        waitUntilIdle();
        assertThat(batcher.generate(params("a bird", 1, 6, 0f, 1), (c, t) -> {}, () -> false).get(0).tokens()).isPositive();
    }

    /** The dropped choices leave at the batcher's next step. */
    private void waitUntilIdle() throws InterruptedException {
        long until = System.nanoTime() + 5_000_000_000L;
        while (batcher.running() > 0 && System.nanoTime() < until) Thread.sleep(5);
        assertThat(batcher.running()).isZero();
    }

    @Test
    void tooLongARequestIsRefusedBeforeAnyWork() {
        assertThatThrownBy(() -> batcher.generate(params("the cat", 1, 64, 0f, 1), (c, t) -> {}, () -> false))
                .hasMessageContaining("exceed the context of 64");
    }
}
