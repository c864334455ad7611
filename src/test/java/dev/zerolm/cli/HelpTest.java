package dev.zerolm.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class HelpTest {

    /** Every option of every command says what it does in --help: a bare "--lora-r=<loraR>" line tells a user nothing. */
    @Test
    void everyOptionHasADescription() {
        List<String> bare = new ArrayList<>();
        collect(Main.commandLine(), bare);
        assertThat(bare).isEmpty();
    }

    private static void collect(CommandLine cmd, List<String> bare) {
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            boolean described = o.description().length > 0 && !String.join("", o.description()).isBlank();
            if (!described) bare.add(cmd.getCommandName() + " " + o.longestName());
        }
        for (CommandLine sub : cmd.getSubcommands().values()) collect(sub, bare);
    }
}
