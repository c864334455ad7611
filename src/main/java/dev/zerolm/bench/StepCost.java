package dev.zerolm.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;

/**
 * What a training step costs the JVM beyond its arithmetic: bytes allocated (by every thread) and garbage
 * collection, per timed step. Measured from counters read before and after the timed steps, so warm-up (JIT,
 * first-touch allocations) is not counted.
 *
 * @param allocatedBytesPerStep heap bytes allocated per step, all threads together
 * @param gcMillisPerStep       collector time per step (stop-the-world pauses with ParallelGC), ms
 * @param collectionsPerStep    collections per step
 */
public record StepCost(double allocatedBytesPerStep, double gcMillisPerStep, double collectionsPerStep) {

    /** The JVM's counters at one moment. */
    public record Counters(long allocatedBytes, long gcMillis, long collections) {

        /** Reads the counters now. Allocated bytes: -1 when the JVM cannot tell (not a HotSpot-like JVM). */
        public static Counters now() {
            long gcMillis = 0, collections = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcMillis += Math.max(0, gc.getCollectionTime());
                collections += Math.max(0, gc.getCollectionCount());
            }
            long allocated = ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean t
                    && t.isThreadAllocatedMemorySupported() && t.isThreadAllocatedMemoryEnabled()
                    ? t.getTotalThreadAllocatedBytes() : -1;
            return new Counters(allocated, gcMillis, collections);
        }
    }

    /** The cost per step between two readings taken steps apart; allocation NaN when it was not measurable. */
    public static StepCost between(Counters before, Counters after, int steps) {
        if (steps < 1) throw new IllegalArgumentException("StepCost: steps must be >= 1, got " + steps);
        double allocated = before.allocatedBytes() < 0 || after.allocatedBytes() < 0 ? Double.NaN
                : (double) (after.allocatedBytes() - before.allocatedBytes()) / steps;
        return new StepCost(allocated, (double) (after.gcMillis() - before.gcMillis()) / steps,
                (double) (after.collections() - before.collections()) / steps);
    }
}
