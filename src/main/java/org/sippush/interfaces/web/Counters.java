package org.sippush.interfaces.web;

import org.sippush.application.CallMetrics;

/** The counters the operator pages show, read at one moment. */
record Counters(long heldNow, long heldTotal, long delivered, long timedOut, long pushesSent, long pushesAccepted,
                long pushesRejected, long pushesFailed, long dbBatches, long dbChanges, long dbQueued) {

    static Counters of(Operations ops) {
        CallMetrics calls = ops.services().metrics();
        long[] pushes = ops.services().pushes().counters();
        return new Counters(calls.heldNow(), calls.heldTotal(), calls.deliveredTotal(), calls.timedOutTotal(),
                pushes[0], pushes[1], pushes[2], pushes[3], ops.store().transactions(), ops.store().units(),
                ops.store().pending());
    }

    /** Label and value, in the order the pages show them. */
    java.util.List<java.util.Map.Entry<String, Long>> rows() {
        return java.util.List.of(
                java.util.Map.entry("Calls held now", heldNow),
                java.util.Map.entry("Calls held since start", heldTotal),
                java.util.Map.entry("Held calls delivered to woken phones", delivered),
                java.util.Map.entry("Held calls timed out", timedOut),
                java.util.Map.entry("Pushes sent", pushesSent),
                java.util.Map.entry("Pushes accepted", pushesAccepted),
                java.util.Map.entry("Pushes rejected", pushesRejected),
                java.util.Map.entry("Pushes failed", pushesFailed),
                java.util.Map.entry("Database write batches", dbBatches),
                java.util.Map.entry("Registrar changes written", dbChanges),
                java.util.Map.entry("Registrar changes queued", dbQueued));
    }
}
