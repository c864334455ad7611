package dev.zerolm.cli;

import dev.zerolm.tensor.Parallel;
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
        System.exit(commandLine().execute(args));
    }

    /** The command line main runs: a failing command prints "zerolm: " and its message on stderr and exits with 1. */
    static CommandLine commandLine() {
        return new CommandLine(new Main())
                .setExecutionExceptionHandler((ex, cmd, parsed) -> {
                    cmd.getErr().println("zerolm: " + ex.getMessage());
                    if (System.getenv("ZEROLM_DEBUG") != null) ex.printStackTrace(cmd.getErr());
                    return 1;
                });
    }
}
