package org.sippush.testsupport;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.hawkular.agent.prometheus.text.TextPrometheusMetricDataParser;
import org.hawkular.agent.prometheus.types.Counter;
import org.hawkular.agent.prometheus.types.Gauge;
import org.hawkular.agent.prometheus.types.Histogram;
import org.hawkular.agent.prometheus.types.Metric;
import org.hawkular.agent.prometheus.types.MetricFamily;

/**
 * A /metrics page read with a Prometheus text-format parser (Hawkular's), by family name, with
 * look-ups of one sample by its labels.
 */
public final class PrometheusText {

    private final Map<String, MetricFamily> families = new LinkedHashMap<>();
    private final String text;

    private PrometheusText(String text) {
        this.text = text;
    }

    public static PrometheusText parse(String text) {
        PrometheusText parsed = new PrometheusText(text);
        TextPrometheusMetricDataParser parser =
                new TextPrometheusMetricDataParser(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        try {
            for (MetricFamily family = parser.parse(); family != null; family = parser.parse()) {
                parsed.families.put(family.getName(), family);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return parsed;
    }

    public MetricFamily family(String name) {
        MetricFamily family = families.get(name);
        if (family == null) {
            throw new AssertionError("No metric family " + name + " in:\n" + text);
        }
        return family;
    }

    public boolean has(String name) {
        return families.containsKey(name);
    }

    /** The value of the counter or gauge sample of {@code name} with these labels (pairs), or 0 when absent. */
    public double value(String name, String... labels) {
        if (!has(name)) {
            return 0;
        }
        Metric metric = sample(name, labels);
        if (metric == null) {
            return 0;
        }
        if (metric instanceof Counter counter) {
            return counter.getValue();
        }
        if (metric instanceof Gauge gauge) {
            return gauge.getValue();
        }
        throw new AssertionError(name + " is neither a counter nor a gauge: " + metric);
    }

    /** The histogram of {@code name} with these labels, or null. */
    public Histogram histogram(String name, String... labels) {
        return has(name) ? (Histogram) sample(name, labels) : null;
    }

    private Metric sample(String name, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        for (Metric metric : family(name).getMetrics()) {
            if (metric.getLabels().entrySet().containsAll(wanted.entrySet())) {
                return metric;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return text;
    }
}
