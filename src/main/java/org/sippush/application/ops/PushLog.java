package org.sippush.application.ops;

import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.sippush.domain.push.PushOutcome;

/** The last {@value #CAPACITY} push outcomes, newest first, and the last one of each provider. */
public final class PushLog {

    public static final int CAPACITY = 200;

    private final Clock clock;
    private final Deque<PushRecord> recent = new ArrayDeque<>(CAPACITY);
    private final Map<String, PushRecord> lastByProvider = new LinkedHashMap<>();

    public PushLog(Clock clock) {
        this.clock = clock;
    }

    public synchronized void record(PushOutcome outcome) {
        PushRecord record = PushRecord.of(outcome, clock.instant());
        if (recent.size() == CAPACITY) {
            recent.removeLast();
        }
        recent.addFirst(record);
        lastByProvider.put(record.provider(), record);
    }

    /** Newest first. */
    public synchronized List<PushRecord> recent() {
        return new ArrayList<>(recent);
    }

    /** The last outcome of each provider that had one, by provider wire name. */
    public synchronized Map<String, PushRecord> lastByProvider() {
        return new LinkedHashMap<>(lastByProvider);
    }
}
