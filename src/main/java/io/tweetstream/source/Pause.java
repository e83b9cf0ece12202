package io.tweetstream.source;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** A wait of a source's own thread (a back-off, a retry) that ends early when the source stops ({@link #wake}). */
public final class Pause {

    private final Object lock = new Object();

    /** Waits {@code wait}, or less if {@code goOn} turns false and {@link #wake} is called. */
    public void await(Duration wait, BooleanSupplier goOn) {
        if (wait.isZero() || wait.isNegative()) {
            return;
        }
        long until = System.nanoTime() + wait.toNanos();
        synchronized (lock) {
            while (goOn.getAsBoolean()) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Ends the waits under way (their {@code goOn} is asked again). */
    public void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }
}
