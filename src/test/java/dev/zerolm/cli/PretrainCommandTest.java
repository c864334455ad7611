package dev.zerolm.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class PretrainCommandTest {

    private static int run(StringWriter err, String... args) {
        return Main.commandLine().setErr(new PrintWriter(err, true)).setOut(new PrintWriter(new StringWriter())).execute(args);
    }

    @Test
    void anUnknownInitIsRefusedBeforeAnyDataIsRead(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int code = run(err, "pretrain", "--objective", "mlm", "--init", "xavier", "--data", dir.resolve("absent.txt").toString(),
                "--out", dir.resolve("out").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("--init must be fan-in or hf, got 'xavier'");
    }

    @Test
    void initIsRefusedForAGpt(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        int code = run(err, "pretrain", "--init", "hf", "--out", dir.resolve("out").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("--init applies to --objective mlm only");
    }

    @Test
    void gradientCheckpointingGivesTheSameLossesForAGptAndABert(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), "the cat sat on the mat . the dog sat on the log .\n".repeat(40));
        for (String objective : new String[] {"clm", "mlm"}) {
            String[] losses = new String[2];
            for (int i = 0; i < 2; i++) {
                Path out = dir.resolve(objective + i);
                StringWriter err = new StringWriter();
                java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("pretrain", "--objective", objective,
                        "--data", text.toString(), "--n-layer", "2", "--n-head", "2", "--n-embd", "16", "--block-size", "16",
                        "--batch-size", "2", "--steps", "3", "--dropout", "0.1", "--eval-interval", "3", "--eval-batches", "1",
                        "--out", out.toString()));
                if (i == 1) args.add("--gradient-checkpointing");
                assertThat(run(err, args.toArray(String[]::new))).as(err.toString()).isZero();
                losses[i] = Files.readString(out.resolve("metrics.jsonl")).replaceAll("\"(tokens_per_s|elapsed_s)\":[0-9.eE+-]+", "");
            }
            assertThat(losses[1]).as(objective).isEqualTo(losses[0]);
        }
    }

    @Test
    void mlmPretrainingRunsWithEitherInit(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("t.txt"), "the cat sat on the mat . the dog sat on the log .\n".repeat(40));
        for (String init : new String[] {"fan-in", "hf"}) {
            Path out = dir.resolve(init);
            StringWriter err = new StringWriter();
            int code = run(err, "pretrain", "--objective", "mlm", "--init", init, "--data", text.toString(), "--n-layer", "1",
                    "--n-head", "2", "--n-embd", "16", "--block-size", "16", "--batch-size", "2", "--steps", "2",
                    "--eval-interval", "2", "--eval-batches", "1", "--out", out.toString());
            assertThat(code).as(err.toString()).isZero();
            assertThat(out.resolve("best/config.json")).exists();
        }
    }
}
