package dev.zerolm.data;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;

/** Locates the shared data for tests; a test is skipped (not failed) only when the data is truly absent. */
public final class TestData {

    private TestData() {}

    /** The NLTK Brown corpus directory, or the calling test is aborted with the search report. */
    public static Path brownDir() {
        try {
            return DataPaths.system().brownDir();
        } catch (IllegalStateException e) {
            return Assumptions.abort("Brown corpus not available: " + e.getMessage());
        }
    }

    /** GPT-2's encoder.json + vocab.bpe directory, or the calling test is aborted with the search report. */
    public static Path gpt2BpeDir() {
        try {
            return DataPaths.system().gpt2BpeDir();
        } catch (IllegalStateException e) {
            return Assumptions.abort("GPT-2 BPE files not available: " + e.getMessage());
        }
    }
}
