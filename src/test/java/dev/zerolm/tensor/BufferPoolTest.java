package dev.zerolm.tensor;

import dev.zerolm.autograd.GradMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool stays within its capacity and, when stale lengths fill it, starts over with the current ones; an array is
 * handed out once however often it is given back; a no-grad forward pass, and only that, draws on it and returns to it.
 */
class BufferPoolTest {

    private long saved;

    @BeforeEach
    void smallPool() {
        saved = BufferPool.capacityFloats(1000);
    }

    @AfterEach
    void restore() {
        BufferPool.capacityFloats(saved);
    }

    @Test
    void staleLengthsAreDroppedWhenThePoolIsFull() {
        for (int n = 100; n <= 400; n += 100) BufferPool.give(BufferPool.take(n));   // 1000 floats of old lengths
        assertThat(BufferPool.pooledFloats()).isEqualTo(1000);
        float[] fresh = BufferPool.take(250);
        BufferPool.give(fresh);                              // does not fit: the old ones go
        assertThat(BufferPool.pooledFloats()).isEqualTo(250);
        assertThat(BufferPool.take(250)).isSameAs(fresh);
    }

    @Test
    void anArrayLargerThanThePoolIsNotKept() {
        float[] big = BufferPool.take(5000);
        BufferPool.give(big);
        assertThat(BufferPool.pooledFloats()).isZero();
        assertThat(BufferPool.isRecyclable(big)).isFalse();
        assertThat(BufferPool.take(5000)).isNotSameAs(big);
    }

    @Test
    void anArrayGivenBackTwiceIsHandedOutOnce() {
        float[] a = BufferPool.take(10);
        BufferPool.give(a);
        BufferPool.give(a);
        assertThat(BufferPool.pooledFloats()).isEqualTo(10);
        assertThat(BufferPool.take(10)).isSameAs(a);
        assertThat(BufferPool.take(10)).isNotSameAs(a);
    }

    @Test
    void outputsComeFromThePoolOnlyInANoGradForwardPass() {
        assertThat(BufferPool.isRecyclable(BufferPool.forOutput(7))).isFalse();            // grad on: backward may keep it
        try (var noGrad = GradMode.noGrad()) {
            assertThat(BufferPool.isRecyclable(BufferPool.forOutput(7))).isTrue();
        }
        // Inside backward (which also records nothing) a rule's ops must not draw on the pool either.
        boolean[] pooledInBackward = {true};
        Tensor x = Tensor.of(new float[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor y = Tensor.record(Tensor.of(new float[] {2, 4, 6}, 3), "probe", g -> {
            pooledInBackward[0] = BufferPool.isRecyclable(BufferPool.forOutput(3));
            return new Tensor[] {g.mul(2f)};
        }, x);
        y.sum().backward();
        assertThat(pooledInBackward[0]).isFalse();
        assertThat(x.grad().toArray()).containsExactly(2f, 2f, 2f);
    }

    @Test
    void recycleTakesBackWholePooledArraysAndOnlyWithoutGrad() {
        Tensor pooled;
        try (var noGrad = GradMode.noGrad()) {
            pooled = Tensor.of(BufferPool.forOutput(6), 2, 3);
            BufferPool.recycle(pooled.narrow(0, 0, 1), Tensor.of(new float[6], 2, 3), null);  // a part; not the pool's
            assertThat(BufferPool.pooledFloats()).isZero();
        }
        BufferPool.recycle(pooled);                                   // grad on: backward might still read it
        assertThat(BufferPool.pooledFloats()).isZero();
        try (var noGrad = GradMode.noGrad()) {
            BufferPool.recycle(pooled, pooled.t());                   // the same array twice: kept once
        }
        assertThat(BufferPool.pooledFloats()).isEqualTo(6);
    }
}
