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
    void anOutDirectoryThatCannotBeMadeFailsBeforeTheDataIsRead(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "not a directory");
        Run r = run("finetune", "--task", "classify", "--train", dir.resolve("absent.jsonl").toString(),
                "--valid", dir.resolve("absent.jsonl").toString(), "--from-scratch", "--out", file.resolve("out").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).startsWith("zerolm: " + file).doesNotContain("absent.jsonl");
    }

    @Test
    void freezeOptionsWithAMethodOtherThanFullAreRefusedUpFront(@TempDir Path dir) throws Exception {
        Run r = run("finetune", "--task", "classify", "--train", jsonl(dir, "t.jsonl").toString(), "--valid", jsonl(dir, "v.jsonl").toString(),
                "--from-scratch", "--method", "lora", "--freeze-embeddings", "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--freeze-embeddings go with --method full", "lora");
        assertThat(dir.resolve("out")).doesNotExist();
    }

    @Test
    void aNegativeHeadRankIsRefusedUpFront(@TempDir Path dir) throws Exception {
        Run r = run("finetune", "--task", "classify", "--train", jsonl(dir, "t.jsonl").toString(), "--valid", jsonl(dir, "v.jsonl").toString(),
                "--from-scratch", "--head-rank", "-2", "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--head-rank must be 0 (a full head) or positive, got -2");
        assertThat(dir.resolve("out")).doesNotExist();
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

    @Test
    void loraRankPatternReachesThePeftAdapter(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Run r = run("finetune", "--task", "classify", "--train", jsonl(dir, "t.jsonl").toString(), "--valid", jsonl(dir, "v.jsonl").toString(),
                "--from-scratch", "--scratch-layers", "1", "--scratch-hidden", "16", "--scratch-heads", "2", "--epochs", "1",
                "--method", "lora", "--target", "all-linear,word_embeddings", "--lora-r", "2",
                "--lora-rank-pattern", "word_embeddings=3", "--lora-alpha-pattern", "word_embeddings=12", "--gradient-checkpointing",
                "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path config;
        try (var files = Files.walk(out)) {
            config = files.filter(p -> p.getFileName().toString().equals("adapter_config.json")).findFirst().orElseThrow();
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(config.toFile());
        assertThat(json.path("rank_pattern").path("word_embeddings").asInt()).isEqualTo(3);
        assertThat(json.path("alpha_pattern").path("word_embeddings").asDouble()).isEqualTo(12.0);
        assertThat(json.path("r").asInt()).isEqualTo(2);
    }

    @Test
    void loraOptionsWithoutLoraLayersAreRefused(@TempDir Path dir) throws Exception {
        Run r = run("finetune", "--task", "classify", "--train", jsonl(dir, "t.jsonl").toString(), "--valid", jsonl(dir, "v.jsonl").toString(),
                "--from-scratch", "--scratch-layers", "1", "--scratch-hidden", "16", "--scratch-heads", "2", "--epochs", "1",
                "--method", "adapter", "--loraplus-lr-ratio", "16", "--out", dir.resolve("out").toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).contains("--loraplus-lr-ratio needs LoRA layers");
        Run full = run("finetune", "--task", "classify", "--train", jsonl(dir, "t.jsonl").toString(), "--valid", jsonl(dir, "v.jsonl").toString(),
                "--from-scratch", "--method", "full", "--target", "query", "--out", dir.resolve("out").toString());
        assertThat(full.exitCode()).isEqualTo(1);
        assertThat(full.err()).contains("--target", "not full");
    }

    @Test
    void parallelAdaptersTrainSaveTheirKindAndScaleAndTheirOptionsAreRefusedElsewhere(@TempDir Path dir) throws Exception {
        String[] common = {"finetune", "--task", "classify", "--train", jsonl(dir, "t.jsonl").toString(), "--valid", jsonl(dir, "v.jsonl").toString(),
                "--from-scratch", "--scratch-layers", "1", "--scratch-hidden", "16", "--scratch-heads", "2", "--epochs", "1"};
        Path out = dir.resolve("par");
        Run ok = run(concat(common, "--method", "adapter", "--adapter-kind", "parallel", "--adapter-size", "4", "--adapter-scale", "2",
                "--out", out.toString()));
        assertThat(ok.exitCode()).as(ok.err()).isZero();
        Path spec;
        try (var files = Files.walk(out)) {
            spec = files.filter(p -> p.getFileName().toString().equals("finetune_config.json")).findFirst().orElseThrow();
        }
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(spec.toFile());
        assertThat(json.path("adapterKind").asText()).isEqualTo("parallel");
        assertThat(json.path("adapterScale").asDouble()).isEqualTo(2.0);

        Run lora = run(concat(common, "--method", "lora", "--adapter-kind", "parallel", "--out", dir.resolve("x").toString()));
        assertThat(lora.exitCode()).isEqualTo(1);
        assertThat(lora.err()).contains("--adapter-kind and --adapter-scale go with --method adapter");
        Run scale = run(concat(common, "--method", "adapter", "--adapter-scale", "2", "--out", dir.resolve("x").toString()));
        assertThat(scale.exitCode()).isEqualTo(1);
        assertThat(scale.err()).contains("add --adapter-kind parallel");
        Run kind = run(concat(common, "--method", "adapter", "--adapter-kind", "serial", "--out", dir.resolve("x").toString()));
        assertThat(kind.exitCode()).isEqualTo(1);
        assertThat(kind.err()).contains("unknown adapter kind 'serial'; choose sequential or parallel");
    }

    @Test
    void aTaggerCanLabelEachWordsLastTokenOrReadBothAndPredictReadsItThere(@TempDir Path dir) throws Exception {
        String conll = """
                the	at
                walking	vbg
                dogs	nns

                a	at
                barking	vbg
                cat	nn
                """;
        Path train = Files.writeString(dir.resolve("t.conll"), conll), valid = Files.writeString(dir.resolve("v.conll"), conll);
        for (String labelToken : java.util.List.of("last", "both")) {
            Path out = dir.resolve("tagger-" + labelToken);
            Run ok = run("finetune", "--task", "tag", "--train", train.toString(), "--valid", valid.toString(), "--from-scratch",
                    "--scratch-layers", "1", "--scratch-hidden", "16", "--scratch-heads", "2", "--epochs", "1", "--label-token", labelToken,
                    "--out", out.toString());
            assertThat(ok.exitCode()).as(ok.err()).isZero();
            Path model;
            try (var files = Files.walk(out)) {
                model = files.filter(p -> p.getFileName().toString().equals("finetune_config.json")).findFirst().orElseThrow().getParent();
            }
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(model.resolve("finetune_config.json").toFile());
            assertThat(json.path("labelToken").asText()).isEqualTo(labelToken);
            var predict = new PredictCommand();
            predict.model = model;
            predict.texts = java.util.List.of("the barking dogs");
            var printed = new java.io.ByteArrayOutputStream();
            predict.run(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
            assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8).strip()).matches("the/\\S+ barking/\\S+ dogs/\\S+");
        }

        Run sequence = run("finetune", "--task", "classify", "--train", jsonl(dir, "c.jsonl").toString(), "--valid",
                jsonl(dir, "cv.jsonl").toString(), "--from-scratch", "--label-token", "last", "--out", dir.resolve("x").toString());
        assertThat(sequence.exitCode()).isEqualTo(1);
        assertThat(sequence.err()).contains("--label-token places a word's label for tagging (brown-pos, tag), not for classify");
        Run unknown = run("finetune", "--task", "tag", "--train", train.toString(), "--valid", valid.toString(), "--from-scratch",
                "--label-token", "middle", "--out", dir.resolve("x").toString());
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("unknown label token 'middle': use first, last or both");
    }

    @Test
    void predictTagsEveryWordOfATextLongerThanTheModelAndSaysWhenItCutsAText(@TempDir Path dir) throws Exception {
        String conll = "the\tat\nwalking\tvbg\ndogs\tnns\n\na\tat\nbarking\tvbg\ncat\tnn\n";
        Path train = Files.writeString(dir.resolve("t.conll"), conll);
        String[] tiny = {"--from-scratch", "--scratch-layers", "1", "--scratch-hidden", "16", "--scratch-heads", "2",
                "--epochs", "1", "--max-length", "8"};
        Run tagger = run(concat(new String[] {"finetune", "--task", "tag", "--train", train.toString(), "--valid", train.toString(),
                "--out", dir.resolve("tagger").toString()}, tiny));
        assertThat(tagger.exitCode()).as(tagger.err()).isZero();
        Run classifier = run(concat(new String[] {"finetune", "--task", "classify", "--train", jsonl(dir, "c.jsonl").toString(),
                "--valid", jsonl(dir, "cv.jsonl").toString(), "--out", dir.resolve("classifier").toString()}, tiny));
        assertThat(classifier.exitCode()).as(classifier.err()).isZero();

        String longText = "the walking dogs a barking cat ".repeat(5).strip();   // 30 words, a model of 8 tokens
        var printed = new java.io.ByteArrayOutputStream();
        var notes = new java.io.ByteArrayOutputStream();
        var predict = new PredictCommand();
        predict.model = dir.resolve("tagger/model");
        predict.texts = java.util.List.of(longText);
        predict.run(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(notes, true, java.nio.charset.StandardCharsets.UTF_8));
        String[] tagged = printed.toString(java.nio.charset.StandardCharsets.UTF_8).strip().split(" ");
        assertThat(tagged).hasSize(30);
        assertThat(tagged[29]).startsWith("cat/");

        predict.model = dir.resolve("classifier/model");
        predict.texts = java.util.List.of("a good film", longText);
        printed.reset();
        predict.run(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8),
                new java.io.PrintStream(notes, true, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8).strip().split("\n")).hasSize(2);
        assertThat(notes.toString(java.nio.charset.StandardCharsets.UTF_8))
                .doesNotContain("text 1 ").contains("note: text 2 has ").contains("the model reads its first 8");
    }

    private static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
