package org.sippush.application;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;

class LatencyRecorderTest {

    @Test
    void percentilesOfAllSamples() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int i = 1; i <= 1000; i++) {
            recorder.record(i);
        }
        assertArrayEquals(new long[] {1000, 500, 990, 999, 1000}, recorder.snapshot());
    }

    @Test
    void percentilesAfterAWarmUpLeaveTheWarmUpOut() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int i = 0; i < 500; i++) {
            recorder.record(1_000_000);  // a cold JVM
        }
        for (int i = 1; i <= 100; i++) {
            recorder.record(i);
        }
        assertArrayEquals(new long[] {600, 50, 99, 100, 100}, recorder.snapshotSince(500));
        assertArrayEquals(new long[] {600, 0, 0, 0, 0}, recorder.snapshotSince(600));
    }

    @Test
    void onlyTheSamplesStillKeptCount() {
        LatencyRecorder recorder = new LatencyRecorder();
        for (int i = 0; i < LatencyRecorder.CAPACITY; i++) {
            recorder.record(7);
        }
        for (int i = 0; i < LatencyRecorder.CAPACITY; i++) {
            recorder.record(9);
        }
        // the first CAPACITY samples were overwritten: asking for them gives what is kept
        assertArrayEquals(new long[] {2L * LatencyRecorder.CAPACITY, 9, 9, 9, 9}, recorder.snapshotSince(0));
    }
}
