/**
 * The server's metrics in Prometheus' text format, through Micrometer's Prometheus registry: fed by
 * the application's {@link org.sippush.application.ops.Observations} and by gauges read at scrape time.
 */
package org.sippush.infrastructure.metrics;
