package dev.zerolm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class MainErrorsTest {

    @Command(name = "boom")
    static final class OutOfHeap implements Runnable {
        @Override
        public void run() {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    @Test
    void aMissingInputFileIsNamedAsMissing(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        String missing = dir.resolve("missing.jsonl").toString();
        int code = Main.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
                .execute("finetune", "--task", "classify", "--from-scratch", "--train", missing,
                        "--valid", missing, "--out", dir.resolve("out").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("zerolm: " + missing + ": no such file or directory");
    }

    @Test
    void aMissingModelDirectoryIsNamedAsMissing(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        String missing = dir.resolve("gpt2").toString();
        int code = Main.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter()))
                .execute("generate", "--model", missing, "--prompt", "hi");
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("zerolm: " + missing + ": no such directory");
    }

    @Test
    void fileErrorsSayWhatHappenedAndOwnReasonsStayAsWritten() {
        assertThat(Main.describe(new NoSuchFileException("a.txt"))).isEqualTo("a.txt: no such file or directory");
        assertThat(Main.describe(new AccessDeniedException("out/ckpt"))).isEqualTo("out/ckpt: permission denied");
        assertThat(Main.describe(new UncheckedIOException(new NoSuchFileException("b.txt")))).isEqualTo("b.txt: no such file or directory");
        assertThat(Main.describe(new NoSuchFileException("runs/x", null, "not a ZeroLM checkpoint (no config.json)")))
                .isEqualTo("runs/x: not a ZeroLM checkpoint (no config.json)");
        assertThat(Main.describe(new IllegalStateException())).startsWith("IllegalStateException");
    }

    @Test
    void runningOutOfHeapSaysHowToGiveMore() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine().addSubcommand("boom", new OutOfHeap()).setErr(new PrintWriter(err, true));
        assertThat(Main.execute(cl, new String[] {"boom"})).isEqualTo(1);
        assertThat(err.toString()).contains("out of memory (Java heap space)").contains("ZEROLM_JAVA_OPTS=-Xmx");
    }
}
