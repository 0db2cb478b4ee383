package org.sippush.application.ops;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The calls held right now, as snapshots the call path publishes after each event (it keeps the
 * live objects in the callees' sessions, where no other thread may read them).
 */
public final class HeldCallsNow {

    private final Map<String, HeldCallSnapshot> calls = new ConcurrentHashMap<>();

    public void update(HeldCallSnapshot call) {
        calls.put(call.key(), call);
    }

    public void remove(String key) {
        calls.remove(key);
    }

    /** Oldest first. */
    public List<HeldCallSnapshot> all() {
        List<HeldCallSnapshot> all = new ArrayList<>(calls.values());
        all.sort(Comparator.comparing(HeldCallSnapshot::heldAt));
        return all;
    }
}
