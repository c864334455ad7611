package dev.zerolm.serve;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ApiKeysTest {

    @Test
    void onlyABearerHeaderWithAKnownKeyIsAccepted() {
        ApiKeys keys = ApiKeys.of(List.of("sk-one", "sk-two"));
        assertThat(keys.accepts("Bearer sk-one")).isTrue();
        assertThat(keys.accepts("bearer sk-two")).isTrue();
        assertThat(keys.accepts("Bearer sk-on")).isFalse();
        assertThat(keys.accepts("Bearer sk-one-more")).isFalse();
        assertThat(keys.accepts("sk-one")).isFalse();
        assertThat(keys.accepts("Basic c2stb25l")).isFalse();
        assertThat(keys.accepts(null)).isFalse();
    }

    @Test
    void withoutKeysEveryRequestIsAccepted() {
        assertThat(ApiKeys.none().required()).isFalse();
        assertThat(ApiKeys.none().accepts(null)).isTrue();
    }

    @Test
    void keysFileSkipsCommentsAndBlankLinesAndAnEmptyOneIsAnError(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("keys"), "# team keys\nsk-a\n\n  sk-b  \n");
        assertThat(ApiKeys.readFile(file)).containsExactly("sk-a", "sk-b");
        Path empty = Files.writeString(dir.resolve("none"), "# nothing\n");
        assertThatThrownBy(() -> ApiKeys.readFile(empty)).hasMessageContaining("no API keys");
        assertThatThrownBy(() -> ApiKeys.of(List.of(" "))).hasMessageContaining("empty key");
    }
}
