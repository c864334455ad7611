package dev.zerolm.tensor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The pool stays within its capacity and, when stale lengths fill it, starts over with the current ones. */
class GradientBuffersTest {

    private long saved;

    @BeforeEach
    void smallPool() {
        saved = GradientBuffers.capacityFloats(1000);
    }

    @AfterEach
    void restore() {
        GradientBuffers.capacityFloats(saved);
    }

    @Test
    void staleLengthsAreDroppedWhenThePoolIsFull() {
        for (int n = 100; n <= 400; n += 100) GradientBuffers.give(GradientBuffers.take(n));   // 1000 floats of old lengths
        assertThat(GradientBuffers.pooledFloats()).isEqualTo(1000);
        float[] fresh = GradientBuffers.take(250);
        GradientBuffers.give(fresh);                              // does not fit: the old ones go
        assertThat(GradientBuffers.pooledFloats()).isEqualTo(250);
        assertThat(GradientBuffers.take(250)).isSameAs(fresh);
    }

    @Test
    void anArrayLargerThanThePoolIsNotKept() {
        float[] big = GradientBuffers.take(5000);
        GradientBuffers.give(big);
        assertThat(GradientBuffers.pooledFloats()).isZero();
        assertThat(GradientBuffers.isRecyclable(big)).isFalse();
        assertThat(GradientBuffers.take(5000)).isNotSameAs(big);
    }
}
