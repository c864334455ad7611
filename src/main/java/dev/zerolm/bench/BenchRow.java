package dev.zerolm.bench;

/**
 * One line of the bench table: what was measured, ZeroLM's result and, with --vs-pytorch, PyTorch's.
 *
 * @param id      stable name shared with the PyTorch script and the JSON, e.g. "train.B" or "mem.train.B"
 * @param label   what a reader sees, e.g. "train B (6L 6H 384, V 65, T 256, B 8)"
 * @param unit    "GFLOP/s", "tok/s" or "MiB"
 * @param zerolm  ZeroLM's numbers, or null when its run failed (see note)
 * @param pytorch PyTorch's numbers, or null when not run or failed
 * @param note    anything the numbers need said next to them, or ""
 */
public record BenchRow(String id, String label, String unit, Stats zerolm, Stats pytorch, String note) {

    public BenchRow {
        note = note == null ? "" : note;
    }

    public static BenchRow measured(String id, String label, String unit, Stats zerolm) {
        return new BenchRow(id, label, unit, zerolm, null, "");
    }

    public static BenchRow failed(String id, String label, String unit, String why) {
        return new BenchRow(id, label, unit, null, null, "ZeroLM failed: " + why);
    }

    public BenchRow withPyTorch(Stats torch, String torchNote) {
        String n = torchNote == null || torchNote.isEmpty() ? note : note.isEmpty() ? torchNote : note + "; " + torchNote;
        return new BenchRow(id, label, unit, zerolm, torch, n);
    }

    /** ZeroLM's median over PyTorch's, or NaN when either is missing. */
    public double ratio() {
        if (zerolm == null || pytorch == null || pytorch.median() == 0) return Double.NaN;
        return zerolm.median() / pytorch.median();
    }
}
