package dev.zerolm.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The GEMM rows timed in turns with PyTorch, against a stand-in for Python that speaks the same protocol. */
class PyTorchGemmTurnsTest {

    @TempDir
    Path dir;

    /** A "python" that ignores its arguments (the script, --threads, --turns) and runs body as a shell script. */
    private Path fakePython(String body) throws IOException {
        Path p = dir.resolve("python");
        Files.writeString(p, "#!/bin/bash\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private static final String SPEAKS_THE_PROTOCOL = """
            echo '{"torch": "9.9", "threads": 2, "blas": "fake"}'
            while read -r line; do
              case "$line" in
                row\\ gemm.*) echo ok ;;
                go) echo 0.001 ;;
                *) echo "error: ValueError: unknown request '$line'" ;;
              esac
            done
            """;

    @Test
    void bothSidesAreTimedCallForCall() throws Exception {
        Path python = fakePython(SPEAKS_THE_PROTOCOL);
        GemmCase c = new GemmCase(64, 32, 48, false, true);
        try (PyTorchGemmTurns torch = PyTorchGemmTurns.start(python, dir.resolve("script.py"), 2)) {
            assertThat(torch.info().version()).isEqualTo("9.9");
            assertThat(torch.info().blas()).isEqualTo("fake");
            GemmCase.Turns t = c.measureInTurns(new TimingPlan(1, 3, 0, 0, 3), torch);
            assertThat(t.zerolm().samples()).isEqualTo(3);
            assertThat(t.pytorch().samples()).isEqualTo(3);
            assertThat(t.zerolm().median()).isPositive();
            assertThat(t.pytorch().median()).isCloseTo(c.flops() * 1e-9 / 0.001, org.assertj.core.data.Offset.offset(1e-9));
        }
    }

    @Test
    void aRefusedRowOrCallSaysWhatTheScriptAnswered() throws Exception {
        Path python = fakePython("""
                echo '{"torch": "9.9", "threads": 2}'
                while read -r line; do echo "error: ValueError: not a GEMM row id"; done
                """);
        try (PyTorchGemmTurns torch = PyTorchGemmTurns.start(python, dir.resolve("script.py"), 2)) {
            assertThatThrownBy(() -> torch.row("gemm.1x2")).isInstanceOf(IOException.class)
                    .hasMessageContaining("row gemm.1x2").hasMessageContaining("not a GEMM row id");
            assertThatThrownBy(torch::call).isInstanceOf(IOException.class).hasMessageContaining("not a GEMM row id");
        }
    }

    @Test
    void aScriptThatDiesOrPrintsNoHeaderIsReported() throws Exception {
        assertThatThrownBy(() -> PyTorchGemmTurns.start(fakePython("echo 'no torch here'\n"), dir.resolve("s.py"), 2))
                .isInstanceOf(IOException.class).hasMessageContaining("its first line").hasMessageContaining("no torch here");
        assertThatThrownBy(() -> PyTorchGemmTurns.start(fakePython("exit 3\n"), dir.resolve("s.py"), 2))
                .isInstanceOf(IOException.class).hasMessageContaining("ended after its start");
        assertThatThrownBy(() -> PyTorchGemmTurns.start(dir.resolve("no-python"), dir.resolve("s.py"), 2))
                .isInstanceOf(IOException.class).hasMessageContaining("not found");
    }

    @Test
    void theScriptIsAskedForTurnsWithTheThreadCount() {
        assertThat(PyTorchGemmTurns.command(Path.of("/usr/bin/python3"), Path.of("bench/pytorch_reference.py"), 4))
                .containsExactly("/usr/bin/python3", "bench/pytorch_reference.py", "--threads", "4", "--turns");
    }
}
