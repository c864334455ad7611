package dev.zerolm.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.zerolm.data.LabelVocab;
import dev.zerolm.finetune.Backbone;
import dev.zerolm.finetune.FineTunedModel;
import dev.zerolm.finetune.LoraConfig;
import dev.zerolm.finetune.TaskModel;
import dev.zerolm.io.StateDicts;
import dev.zerolm.models.CausalLM;
import dev.zerolm.models.GPT;
import dev.zerolm.models.GPTConfig;
import dev.zerolm.nn.KVCache;
import dev.zerolm.tensor.IntTensor;
import dev.zerolm.tensor.Rng;
import dev.zerolm.tensor.Tensor;
import dev.zerolm.tokenize.ByteLevelBpe;
import dev.zerolm.train.Checkpoint;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Small models for the server tests: a random GPT checkpoint, the tiny BERT, a classifier on it, a slowed (or held) GPT. */
final class ServeTestModels {

    static final String CORPUS = "the cat sat on the mat. the dog ate the bone. a bird sang in the tree. "
            + "we walk to the park and the sun is warm. she reads a book by the window. ";

    private ServeTestModels() {}

    /** A random 2-layer GPT with a byte-level BPE, saved as a ZeroLM checkpoint in dir. */
    static Path tinyGptCheckpoint(Path dir) throws IOException {
        ByteLevelBpe bpe = ByteLevelBpe.train(CORPUS, 300);
        GPT gpt = new GPT(GPTConfig.gpt2(bpe.vocabSize(), 64, 2, 2, 32), new Rng(7));
        gpt.eval();
        Checkpoint.saveModel(dir, gpt, bpe);
        return dir;
    }

    static Path tinyBert() throws URISyntaxException {
        return Path.of(ServeTestModels.class.getResource("/hf/tiny-bert").toURI());
    }

    /** The tiny BERT with a random 2-label head, in Hugging Face's BertForSequenceClassification layout. */
    static Path tinyBertClassifier(Path dir) throws IOException, URISyntaxException {
        Files.createDirectories(dir);
        Path bert = tinyBert();
        for (String f : List.of("vocab.txt", "tokenizer.json", "tokenizer_config.json")) Files.copy(bert.resolve(f), dir.resolve(f));
        Map<String, Tensor> weights = new LinkedHashMap<>(StateDicts.load(bert.resolve("model.safetensors")));
        Rng rng = new Rng(3);
        weights.put("classifier.weight", Tensor.randn(rng, 0f, 0.5f, 2, 32));
        weights.put("classifier.bias", Tensor.randn(rng, 0f, 0.1f, 2));
        StateDicts.save(dir.resolve("model.safetensors"), weights, Map.of());
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(bert.resolve("config.json").toFile());
        config.putArray("architectures").add("BertForSequenceClassification");
        config.putObject("id2label").put("0", "negative").put("1", "positive");
        json.writeValue(dir.resolve("config.json").toFile(), config);
        return dir;
    }

    /** A LoRA sequence classifier over the checkpoint's GPT, saved as `zerolm finetune` saves one (labels ham, spam). */
    static Path tinyFineTunedClassifier(Path dir, Path gptCheckpoint) throws IOException {
        var spec = new FineTunedModel.Spec("sequence", "gpt", "last", 32, "lora", new LoraConfig(2, 4, 0f, List.of("c_attn")),
                0, null, 0f, "test", false, null, 0);
        TaskModel model = FineTunedModel.build(Backbone.of(Checkpoint.loadModel(gptCheckpoint)), spec, 2, 0f, new Rng(5));
        new FineTunedModel(model, Checkpoint.loadTokenizer(gptCheckpoint), LabelVocab.ofNames(List.of("ham", "spam")), spec).save(dir);
        return dir;
    }

    /**
     * Holds forward passes while shut, so a test decides when its requests may go on instead of racing a clock.
     * A pass waits at most 30 s, then fails, so a test that forgets to open it fails instead of hanging.
     */
    static final class Gate {
        private volatile CountDownLatch latch = new CountDownLatch(0);
        private final AtomicInteger waiting = new AtomicInteger();

        void shut() {
            latch = new CountDownLatch(1);
        }

        void open() {
            latch.countDown();
        }

        /** Forward passes now held at the gate. */
        int waiting() {
            return waiting.get();
        }

        void pass() {
            waiting.incrementAndGet();
            try {
                if (!latch.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("Gate: still shut after 30 s");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                waiting.decrementAndGet();
            }
        }
    }

    /** A causal model that sleeps before every forward pass, so a request lasts long enough to interfere with. */
    record SlowLM(CausalLM inner, long millisPerStep, Gate gate) implements CausalLM {

        SlowLM(CausalLM inner, long millisPerStep) {
            this(inner, millisPerStep, new Gate());
        }

        @Override
        public Tensor forward(IntTensor idx, KVCache cache, int startPos) {
            gate.pass();
            try {
                Thread.sleep(millisPerStep);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return inner.forward(idx, cache, startPos);
        }

        @Override
        public KVCache newKVCache(int batchSize) {
            return inner.newKVCache(batchSize);
        }

        @Override
        public int blockSize() {
            return inner.blockSize();
        }

        @Override
        public int vocabSize() {
            return inner.vocabSize();
        }

        @Override
        public void train(boolean mode) {
            inner.train(mode);
        }

        @Override
        public void eval() {
            inner.eval();
        }

        @Override
        public boolean isTraining() {
            return inner.isTraining();
        }

        @Override
        public Map<String, Tensor> namedParameters() {
            return inner.namedParameters();
        }

        @Override
        public List<Tensor> parameters() {
            return inner.parameters();
        }

        @Override
        public long parameterCount() {
            return inner.parameterCount();
        }
    }
}
