package dev.zerolm.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The loss-curve PNG. */
class LossCurvePlotTest {

    @TempDir
    Path dir;

    @Test
    void lossCurveIsAValidPngOfTheChartSize() throws IOException {
        Path png = dir.resolve("plots/loss.png");
        LossCurvePlot.write(png, MetricsLogTest.fakeRun(200), "tiny run");
        byte[] bytes = Files.readAllBytes(png);
        byte[] signature = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        assertThat(Arrays.copyOf(bytes, 8)).isEqualTo(signature);
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image.getWidth()).isEqualTo(LossCurvePlot.WIDTH);
        assertThat(image.getHeight()).isEqualTo(LossCurvePlot.HEIGHT);
    }

    @Test
    void lossCurveCanBeDrawnFromAMetricsLog() throws IOException {
        Path log = dir.resolve("m.jsonl"), png = dir.resolve("m.png");
        try (MetricsLog out = MetricsLog.open(log, false)) {
            for (StepMetrics m : MetricsLogTest.fakeRun(30)) out.log(m);
        }
        LossCurvePlot.writeFromLog(log, png, "from log");
        assertThat(ImageIO.read(png.toFile())).isNotNull();
    }

    @Test
    void lossCurveWithoutAnyFiniteLossIsRejected() {
        assertThatThrownBy(() -> LossCurvePlot.write(dir.resolve("x.png"), List.of(StepMetrics.train(0, Float.NaN, 0f, 0, 0)), "t"))
                .hasMessageContaining("no finite loss");
    }
}
