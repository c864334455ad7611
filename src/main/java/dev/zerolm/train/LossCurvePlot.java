package dev.zerolm.train;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Draws the training and validation loss against the step into a PNG (XChart, headless AWT: no display needed).
 * Non-finite losses are left out of the curves.
 */
public final class LossCurvePlot {

    static {
        // Before the first AWT class loads: a server or CI machine has no display.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    public static final int WIDTH = 900, HEIGHT = 540;

    private LossCurvePlot() {}

    /** Writes the curves of metrics to png (parent folders are created). */
    public static void write(Path png, List<StepMetrics> metrics, String title) throws IOException {
        List<Double> trainX = new ArrayList<>(), trainY = new ArrayList<>(), valX = new ArrayList<>(), valY = new ArrayList<>();
        for (StepMetrics m : metrics) {
            if (Float.isFinite(m.loss())) {
                trainX.add((double) m.step());
                trainY.add((double) m.loss());
            }
            if (m.valLoss() != null && Float.isFinite(m.valLoss())) {
                valX.add((double) m.step());
                valY.add((double) m.valLoss());
            }
        }
        if (trainX.isEmpty() && valX.isEmpty()) {
            throw new IllegalArgumentException("loss curve " + png + ": no finite loss among " + metrics.size() + " entries");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle("step").yAxisTitle("loss").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
        if (!trainX.isEmpty()) {
            XYSeries train = chart.addSeries("train", trainX, trainY);
            train.setMarker(SeriesMarkers.NONE);
            train.setLineColor(new Color(31, 119, 180));
            train.setLineWidth(1f);
        }
        if (!valX.isEmpty()) {
            XYSeries val = chart.addSeries("validation", valX, valY);
            val.setMarker(SeriesMarkers.CIRCLE);
            val.setMarkerColor(new Color(214, 39, 40));
            val.setLineColor(new Color(214, 39, 40));
        }
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try (OutputStream out = Files.newOutputStream(png)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }

    /** Reads a {@link MetricsLog} file and writes its curves to png. */
    public static void writeFromLog(Path metricsJsonl, Path png, String title) throws IOException {
        write(png, MetricsLog.read(metricsJsonl), title);
    }
}
