package dev.zerolm.cli;

import dev.zerolm.data.DataFetch;
import dev.zerolm.data.DataPaths;
import dev.zerolm.generate.Generator;
import dev.zerolm.generate.SamplingConfig;
import dev.zerolm.models.GPT;
import dev.zerolm.tokenize.Tokenizer;
import dev.zerolm.train.Checkpoint;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

/** `zerolm demo`: the main job in one command: learn English characters from Brown, then write some. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Pretrain a small character-level GPT on the Brown corpus for a few minutes, then generate text.",
                "Fetches the corpus first if it is not found."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--minutes", defaultValue = "3", description = "Training time budget. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(names = "--out", defaultValue = "runs/demo", description = "Output directory. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Override
    public Integer call() throws Exception {
        ensureData();
        PretrainCommand pretrain = new PretrainCommand();
        pretrain.preset = "tiny";
        pretrain.tokenizer = "char";
        pretrain.out = out;
        pretrain.steps = 2000;
        pretrain.evalInterval = 100;
        pretrain.evalBatches = 20;
        pretrain.maxSeconds = minutes * 60;
        System.out.printf("== ZeroLM demo: a character-level GPT learns English from the Brown corpus (%.0f min) ==%n", minutes);
        pretrain.run(System.out);

        Path best = out.resolve("best");
        GPT model = Checkpoint.loadModel(best);
        Tokenizer tok = Checkpoint.loadTokenizer(best);
        Generator gen = new Generator(model, tok);
        System.out.println();
        System.out.println("== Samples (temperature 0.8) from " + best + " ==");
        List<String> prompts = List.of("The jury said", "In the morning, she", "It is important to");
        long seed = 1;
        for (String prompt : prompts) {
            System.out.print("\n> " + prompt);
            gen.generate(prompt, new SamplingConfig(240, 0.8f, 0, 1f, List.of("\n\n"), seed++), text -> {
                System.out.print(text);
                System.out.flush();
            });
            System.out.println();
        }
        System.out.printf("%nMore: ./zerolm generate --checkpoint %s --prompt \"...\"   Loss curves: %s%n", best, out.resolve("loss.png"));
        return 0;
    }

    private static void ensureData() throws Exception {
        try {
            DataPaths.system().brownDir();
        } catch (IllegalStateException notFound) {
            System.out.println("Brown corpus not found; fetching it into " + DataPaths.defaultCacheDir());
            DataFetch.fetch(DataPaths.defaultCacheDir(), Optional.empty(), System.out);
        }
    }
}
