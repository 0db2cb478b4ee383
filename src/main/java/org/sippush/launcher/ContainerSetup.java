package org.sippush.launcher;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

import org.apache.catalina.Lifecycle;
import org.apache.catalina.LifecycleEvent;
import org.apache.catalina.LifecycleListener;
import org.apache.catalina.connector.Connector;
import org.apache.log4j.Logger;
import org.mobicents.servlet.sip.catalina.SipProtocolHandler;
import org.mobicents.servlet.sip.catalina.SipStandardService;
import org.restcomm.commons.statistics.reporter.RestcommStatsReporter;

import com.codahale.metrics.MetricFilter;

/**
 * What {@code conf/server.xml} cannot say by itself, done on the SIP {@code <Service>} before it
 * initialises (it is a {@code <Listener>} of that service):
 * <ul>
 * <li><b>SIP over TLS.</b> With TLS on (see {@link TlsSettings}), the keystore goes into the SIP
 * stack's properties, from the launcher's {@code sippush.sip.tls.*} system properties, so it is
 * never written to a file. With TLS off, the {@code signalingTransport="tls"} connector is removed
 * before it binds anything, and one INFO line says why.</li>
 * <li><b>No statistics leave the machine.</b> {@code gatherStatistics="false"} keeps Restcomm from
 * starting its periodic statistics reporter, but its dispatcher still stops the shared reporter
 * when the container stops, and that stop reports once (to the vendor's host) whatever was
 * registered. After the service is initialised, its metrics are removed (nothing left to report)
 * and the reporter is pointed at loopback.</li>
 * </ul>
 */
public final class ContainerSetup implements LifecycleListener {

    private static final Logger LOG = Logger.getLogger(ContainerSetup.class);
    /** The discard port on loopback: a report sent there fails at once, and stays on the machine. */
    static final String NOWHERE = "http://127.0.0.1:9/";
    private static final String PREFIX = "sippush.";

    @Override
    public void lifecycleEvent(LifecycleEvent event) {
        if (!(event.getLifecycle() instanceof SipStandardService service)) {
            return;
        }
        switch (event.getType()) {
            case Lifecycle.BEFORE_INIT_EVENT -> setUpTls(service);
            case Lifecycle.AFTER_INIT_EVENT -> silenceStatistics();
            default -> {
            }
        }
    }

    private static void setUpTls(SipStandardService service) {
        TlsSettings tls;
        try {
            tls = TlsSettings.of(published(), Path.of(System.getProperty("catalina.base", ".")));
        } catch (StartupRefused e) {
            throw new IllegalStateException(e.getMessage(), e);   // the launcher checked this already
        }
        if (tls.enabled()) {
            Properties stack = new Properties();
            if (service.getSipStackProperties() != null) {
                stack.putAll(service.getSipStackProperties());
            }
            stack.putAll(tls.stackProperties());
            service.setSipStackProperties(stack);
            LOG.info("SIP over TLS on " + System.getProperty(PREFIX + "sip.bind-address") + ":" + tls.port()
                    + ", keystore " + tls.keystore() + " (" + tls.type() + ")");
            return;
        }
        for (Connector connector : service.findConnectors()) {
            if (connector.getProtocolHandler() instanceof SipProtocolHandler sip
                    && "tls".equalsIgnoreCase(sip.getSignalingTransport())) {
                service.removeConnector(connector);
            }
        }
        LOG.info("SIP over TLS off: " + tls.whyOff());
    }

    private static void silenceStatistics() {
        RestcommStatsReporter.getMetricRegistry().removeMatching(MetricFilter.ALL);
        RestcommStatsReporter.getRestcommStatsReporter().setRemoteServer(NOWHERE);
    }

    /** The settings as the launcher published them ({@code sippush.<key>} system properties). */
    private static Map<String, String> published() {
        Map<String, String> settings = new HashMap<>();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith(PREFIX)) {
                settings.put(name.substring(PREFIX.length()), System.getProperty(name));
            }
        }
        return settings;
    }
}
