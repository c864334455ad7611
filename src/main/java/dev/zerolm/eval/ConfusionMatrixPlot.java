package dev.zerolm.eval;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Draws a confusion matrix as a PNG heat map (XChart, headless): gold labels up the side, predictions along the bottom. */
public final class ConfusionMatrixPlot {

    static {
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    private ConfusionMatrixPlot() {}

    /**
     * Writes the heat map of m to png (parent folders are created). Cells are row-normalised (the fraction of each
     * gold class given each prediction), so rare and frequent classes read on one colour scale.
     */
    public static void write(Path png, ConfusionMatrix m, String title) throws IOException {
        List<String> labels = m.labels();
        int n = labels.size();
        List<Number[]> cells = new ArrayList<>();
        for (int gold = 0; gold < n; gold++) {
            long rowTotal = 0;
            for (int p = 0; p < n; p++) rowTotal += m.count(gold, p);
            for (int p = 0; p < n; p++) {
                double share = rowTotal == 0 ? 0 : (double) m.count(gold, p) / rowTotal;
                cells.add(new Number[] {p, gold, Math.round(share * 1000) / 1000.0});
            }
        }
        int side = Math.max(500, 40 * n + 200);
        HeatMapChart chart = new HeatMapChartBuilder().width(side + 100).height(side).title(title)
                .xAxisTitle("predicted").yAxisTitle("gold").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotContentSize(1);
        chart.getStyler().setShowValue(n <= 20);
        chart.getStyler().setMin(0);
        chart.getStyler().setMax(1);
        chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(158, 202, 225), new Color(8, 48, 107)});
        chart.addSeries("share of gold row", labels, labels, cells);
        if (png.toAbsolutePath().getParent() != null) Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, png.toString().replaceFirst("\\.png$", ""), BitmapEncoder.BitmapFormat.PNG);
    }
}
