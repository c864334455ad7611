package dev.zerolm.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * PyTorch's GEMM timed one call at a time, on request, by bench/pytorch_reference.py --turns: the bench alternates
 * ZeroLM's calls with PyTorch's, so a slow stretch of a shared machine falls on both sides alike instead of on
 * whichever section ran at the time. One Python process serves every GEMM row.
 *
 * <p>The protocol (lines): the script first prints {"torch", "threads", "blas"}; then "row ID" answers "ok", "go"
 * answers the seconds of one call, and a bad request answers "error: ...".
 */
public final class PyTorchGemmTurns implements AutoCloseable {

    private final Process process;
    private final BufferedReader in;
    private final PrintWriter out;
    private final BenchReport.PyTorchInfo info;

    private PyTorchGemmTurns(Process process, Path python) throws IOException {
        this.process = process;
        this.in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.out = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
        this.info = parseInfo(readLine("its start"), python);
    }

    /** Starts the script in turns mode with the fair environment; fails with the reason when it cannot. */
    public static PyTorchGemmTurns start(Path python, Path script, int threads) throws IOException {
        PyTorchReference.requirePython(python);
        ProcessBuilder pb = new ProcessBuilder(command(python, script, threads)).redirectError(ProcessBuilder.Redirect.INHERIT);
        PyTorchReference.fairEnvironment(pb.environment(), threads);
        Process p = pb.start();
        try {
            return new PyTorchGemmTurns(p, python);
        } catch (IOException | RuntimeException e) {
            p.destroy();
            throw e;
        }
    }

    static List<String> command(Path python, Path script, int threads) {
        return List.of(python.toString(), script.toString(), "--threads", String.valueOf(threads), "--turns");
    }

    /** Torch version, thread count and BLAS, as the script reported them. */
    public BenchReport.PyTorchInfo info() {
        return info;
    }

    /** Sets up the product of a GEMM row id, e.g. "gemm.4096x768x768.NT". */
    public void row(String id) throws IOException {
        out.println("row " + id);
        String answer = readLine("'row " + id + "'");
        if (!answer.equals("ok")) throw new IOException("pytorch_reference.py --turns, row " + id + ": " + answer);
    }

    /** Runs the current row's product once; returns its seconds. */
    public double call() throws IOException {
        out.println("go");
        String answer = readLine("'go'");
        try {
            return Double.parseDouble(answer);
        } catch (NumberFormatException e) {
            throw new IOException("pytorch_reference.py --turns: " + answer);
        }
    }

    private String readLine(String after) throws IOException {
        String line = in.readLine();
        if (line == null) {
            throw new IOException("pytorch_reference.py --turns ended after " + after
                    + (process.isAlive() ? "" : " with exit code " + waitExit()) + "; see its messages above");
        }
        return line.strip();
    }

    private int waitExit() {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The script's first line, {"torch", "threads", "blas"}: the header of its usual JSON, read the same way. */
    static BenchReport.PyTorchInfo parseInfo(String line, Path python) throws IOException {
        try {
            PyTorchResults header = PyTorchResults.parse(line);
            return new BenchReport.PyTorchInfo(header.torchVersion(), header.threads(), python.toString(), header.blas());
        } catch (IllegalArgumentException e) {
            throw new IOException("pytorch_reference.py --turns, its first line: " + e.getMessage());
        }
    }

    /** Ends the script (end of its input) and waits for it briefly. */
    @Override
    public void close() {
        out.close();
        try {
            if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroy();
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
        }
    }
}
