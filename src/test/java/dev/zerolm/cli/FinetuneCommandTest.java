package dev.zerolm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class FinetuneCommandTest {

    private record Run(int exitCode, String err) {}

    private static Run run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter())).execute(args);
        return new Run(code, err.toString());
    }

    private static Path jsonl(Path dir, String name) throws Exception {
        return Files.writeString(dir.resolve(name), """
                {"text": "a good film", "label": "pos"}
                {"text": "a bad film", "label": "neg"}
                """);
    }

    @Test
    void aMissingBaseDirectoryIsNamedAsSuch(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no-such-model");
        Run r = run("finetune", "--task", "classify", "--train", jsonl(dir, "t.jsonl").toString(),
                "--valid", jsonl(dir, "v.jsonl").toString(), "--base", missing.toString(), "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("zerolm: ").contains(missing.toString(), "--base is not a directory");
    }

    @Test
    void aDirectoryThatHoldsNoModelSaysWhatIsMissing(@TempDir Path dir) throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Run r = run("finetune", "--task", "classify", "--train", jsonl(dir, "t.jsonl").toString(),
                "--valid", jsonl(dir, "v.jsonl").toString(), "--base", empty.toString(), "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains(empty.toString(), "no config.json");
    }
}
