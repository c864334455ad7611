package dev.zerolm.tensor;

import dev.zerolm.autograd.GradMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pool stays within its capacity and, once a training pass has closed, within one and a half times what the largest
 * pass took; when it is full, the lengths least recently used go first; an array is
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
    void theLeastRecentlyUsedLengthsGoWhenThePoolIsFull() {
        for (int n = 100; n <= 400; n += 100) BufferPool.give(BufferPool.take(n));   // 1000 floats of older lengths
        assertThat(BufferPool.pooledFloats()).isEqualTo(1000);
        float[] three = BufferPool.take(300);
        BufferPool.give(three);                               // 300 is now the most recently used length
        float[] fresh = BufferPool.take(250);
        BufferPool.give(fresh);                               // does not fit: 100 and 200 go, 400 and 300 stay
        assertThat(BufferPool.pooledFloats()).isEqualTo(950);
        assertThat(BufferPool.take(250)).isSameAs(fresh);
        assertThat(BufferPool.take(300)).isSameAs(three);
        float[] hundred = BufferPool.take(100);
        assertThat(BufferPool.isRecyclable(hundred)).isTrue(); // a new one, minted here
        assertThat(BufferPool.pooledFloats()).isEqualTo(400);
    }

    @Test
    void afterATrainingPassThePoolKeepsOneAndAHalfTimesWhatThePassTook() {
        try (var pass = BufferPool.trainingPass()) {
            for (int n = 100; n <= 300; n += 100) BufferPool.give(BufferPool.take(n));  // takes 600 floats in all
            try (var inner = BufferPool.recomputePass()) {
                BufferPool.give(BufferPool.take(40));        // a nested pass counts towards the outermost one
            }
        }
        // budget: 1.5 x 640 = 960 of the 1000. Stale lengths beyond it go as new ones come back.
        BufferPool.give(BufferPool.take(400));
        assertThat(BufferPool.pooledFloats()).isLessThanOrEqualTo(960);
        assertThat(BufferPool.pooledFloats()).isEqualTo(940);    // 100, the least recently used length, made room
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
