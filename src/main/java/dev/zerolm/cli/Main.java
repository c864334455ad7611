package dev.zerolm.cli;

import dev.zerolm.tensor.Parallel;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Entry point of the `zerolm` command line. Subcommands are thin: parse, call, print. */
@Command(name = "zerolm",
        mixinStandardHelpOptions = true,
        version = "ZeroLM 0.1.0",
        description = "Transformers from zero, in pure Java: build, pretrain, fine-tune and run language models.",
        subcommands = {CommandLine.HelpCommand.class, DemoCommand.class, PretrainCommand.class,
                GenerateCommand.class, EvalCommand.class, InfoCommand.class, ExportCommand.class, DataCommand.class,
                BenchCommand.class, ServeCommand.class, FinetuneCommand.class, PredictCommand.class})
public final class Main implements Runnable {

    @Option(names = "--threads", scope = CommandLine.ScopeType.INHERIT,
            description = "Worker threads for kernels (default: ZEROLM_THREADS or all cores).")
    void setThreads(int threads) {
        Parallel.setThreads(threads);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(execute(commandLine(), args));
    }

    /** Runs args on cl; running out of heap (an Error, which picocli lets through) is reported like any failure. */
    static int execute(CommandLine cl, String[] args) {
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            cl.getErr().println("zerolm: out of memory (" + e.getMessage() + "): give the JVM a larger heap, e.g. "
                    + "ZEROLM_JAVA_OPTS=-Xmx8g ./zerolm ..., or use a smaller --batch-size");
            return 1;
        }
    }

    /** The command line main runs: a failing command prints "zerolm: " and what went wrong on stderr and exits with 1. */
    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("zerolm: " + describe(ex));
                    if (System.getenv("ZEROLM_DEBUG") != null) ex.printStackTrace(cmd.getErr());
                    return 1;
                });
    }

    /**
     * What a failure says: its message, except that the JDK's file errors carry only the path ("missing.jsonl"), so
     * they get what happened to it, and an exception without a message is named.
     */
    static String describe(Throwable ex) {
        if (ex instanceof UncheckedIOException u && u.getCause() != null) return describe(u.getCause());
        if (ex instanceof FileSystemException fs && fs.getReason() == null) {
            String what = switch (fs) {
                case NoSuchFileException e -> "no such file or directory";
                case AccessDeniedException e -> "permission denied";
                case FileAlreadyExistsException e -> "already exists";
                case NotDirectoryException e -> "not a directory";
                case DirectoryNotEmptyException e -> "directory not empty";
                default -> fs.getClass().getSimpleName();
            };
            return fs.getFile() + (fs.getOtherFile() != null ? " -> " + fs.getOtherFile() : "") + ": " + what;
        }
        String message = ex.getMessage();
        if (message == null || message.isBlank()) return ex.getClass().getSimpleName() + " (ZEROLM_DEBUG=1 prints where)";
        return message;
    }
}
