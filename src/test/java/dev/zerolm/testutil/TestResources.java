package dev.zerolm.testutil;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** Paths of files under src/test/resources, as the tests see them on the class path. */
public final class TestResources {

    private TestResources() {}

    /** The file or directory at path (e.g. "hf/tiny-gpt2") on the test class path. */
    public static Path path(String path) {
        URL url = TestResources.class.getResource("/" + path);
        if (url == null) throw new IllegalArgumentException("not on the test class path: " + path);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(url + ": not a file path", e);
        }
    }
}
