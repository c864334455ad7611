package dev.zerolm.finetune;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MethodTest {

    @Test
    void parameterEfficientMethodsDefaultToLargerLearningRates() {
        assertThat(Method.FULL.defaultLearningRate()).isEqualTo(5e-4f);
        assertThat(Method.FREEZE.defaultLearningRate()).isEqualTo(5e-4f);
        assertThat(Method.LORA.defaultLearningRate()).isEqualTo(2e-3f);
        assertThat(Method.ADAPTER.defaultLearningRate()).isEqualTo(3e-3f);
    }

    @Test
    void anUnknownMethodListsTheKnownOnes() {
        assertThatThrownBy(() -> Method.parse("prefix")).hasMessageContaining("'prefix'").hasMessageContaining("full, freeze, lora or adapter");
        assertThat(Method.parse("LoRA")).isEqualTo(Method.LORA);
    }
}
