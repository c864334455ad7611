package dev.zerolm.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The bench report as a plain-text table: one row per measurement, medians with their min-max spread. */
public final class BenchTable {

    private BenchTable() {}

    public static String format(BenchReport r) {
        boolean torch = r.pytorch() != null;
        StringBuilder out = new StringBuilder();
        out.append("ZeroLM ").append(r.version()).append(" bench\n");
        out.append("machine: ").append(r.machine().describe()).append('\n');
        if (torch) {
            out.append("pytorch: ").append(r.pytorch().version()).append(", ").append(r.pytorch().threads())
                    .append(" threads, ").append(r.pytorch().python())
                    .append(" (fair set-up of bench/fair_torch_env.py: OpenBLAS kernel for this CPU, OMP/OPENBLAS threads set, passive OpenMP wait)\n");
            out.append("blas:    ").append(r.pytorch().blas()).append('\n');
        }
        TimingPlan p = r.plan();
        out.append(String.format(Locale.ROOT, "timing:  median of >= %d timed steps (>= %s s) after >= %d warm-up steps (>= %s s); "
                        + "(min-max) is the spread%n", p.timedSteps(), plain(p.minTimedSeconds()), p.warmupSteps(),
                plain(p.minWarmupSeconds())));
        out.append('\n');

        List<String[]> cells = new ArrayList<>();
        cells.add(torch ? new String[] {"benchmark", "unit", "ZeroLM", "(min-max)", "PyTorch", "(min-max)", "ratio", "note"}
                : new String[] {"benchmark", "unit", "ZeroLM", "(min-max)", "note"});
        for (BenchRow row : r.rows()) {
            List<String> c = new ArrayList<>(List.of(row.label(), row.unit(), median(row.zerolm()), spread(row.zerolm())));
            if (torch) {
                c.addAll(List.of(median(row.pytorch()), spread(row.pytorch()),
                        Double.isNaN(row.ratio()) ? "-" : String.format(Locale.ROOT, "%.2f", row.ratio())));
            }
            c.add(row.note());
            cells.add(c.toArray(String[]::new));
        }
        // Text columns (label, unit, note, spreads) align left; numbers align right.
        boolean[] right = torch ? new boolean[] {false, false, true, false, true, false, true, false}
                : new boolean[] {false, false, true, false, false};
        out.append(align(cells, right));
        List<String> footer = new ArrayList<>();
        if (torch) footer.add("ratio = ZeroLM / PyTorch: above 1, ZeroLM is faster (for MiB rows: uses more memory).");
        footer.addAll(r.notes());
        if (!footer.isEmpty()) out.append('\n');
        for (String line : footer) out.append(line).append('\n');
        return out.toString();
    }

    /** Pads every column to its widest cell, two spaces apart; trailing blanks trimmed. */
    static String align(List<String[]> rows, boolean[] alignRight) {
        int cols = rows.get(0).length;
        int[] width = new int[cols];
        for (String[] row : rows) for (int c = 0; c < cols; c++) width[c] = Math.max(width[c], row[c].length());
        StringBuilder out = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < cols; c++) {
                if (c > 0) line.append("  ");
                String pad = " ".repeat(width[c] - row[c].length());
                line.append(alignRight[c] ? pad + row[c] : row[c] + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    static String median(Stats s) {
        return s == null ? "-" : number(s.median());
    }

    static String spread(Stats s) {
        if (s == null || s.samples() == 1) return "";
        return "(" + number(s.min()) + "-" + number(s.max()) + ")";
    }

    /** Three or more significant digits: 51234, 412, 98.4, 7.12, 0.531. */
    static String number(double v) {
        double a = Math.abs(v);
        String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, f, v);
    }

    private static String plain(double seconds) {
        return seconds == Math.rint(seconds) ? String.valueOf((long) seconds) : String.valueOf(seconds);
    }
}
