package org.sippush.interfaces.web;

import java.io.IOException;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.sippush.application.CallMetrics;
import org.sippush.application.Services;
import org.sippush.infrastructure.persistence.JpaBindingRepository;

/**
 * {@code GET /sip-push-server/status}: calls held now, live sessions, pushes, wake-up delivery
 * times and the registrar's group-committed writes (transactions, changes they carried), as JSON.
 */
public class StatusServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    /** {@code ?wakeSince=N}: wake-up percentiles over the samples after the first N only. */
    private static long since(HttpServletRequest request) {
        String value = request.getParameter("wakeSince");
        try {
            return value == null ? 0 : Long.parseLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Services services = (Services) getServletContext().getAttribute(Services.ATTRIBUTE);
        long[] pushes = services == null ? new long[4] : services.pushes().counters();
        Runtime rt = Runtime.getRuntime();
        CallMetrics calls = services == null ? new CallMetrics() : services.metrics();
        long[] wake = calls.wakeDelivery().snapshotSince(since(request));
        JpaBindingRepository store = (JpaBindingRepository) getServletContext().getAttribute(ApplicationLifecycle.BINDING_STORE);
        String writes = store == null ? "" : ",\"registrarWrites\":{\"transactions\":" + store.transactions()
                + ",\"changes\":" + store.units() + ",\"batchesRetriedAlone\":" + store.batchesRetriedAlone()
                + ",\"queued\":" + store.pending() + "}";
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write("{\"heldCalls\":" + calls.heldNow()
                + ",\"heldCallsTotal\":" + calls.heldTotal()
                + ",\"deliveredToWokenPhones\":" + calls.deliveredTotal()
                + ",\"timedOut\":" + calls.timedOutTotal()
                + ",\"applicationSessions\":" + calls.applicationSessions()
                + ",\"pushes\":{\"sent\":" + pushes[0] + ",\"accepted\":" + pushes[1]
                + ",\"rejected\":" + pushes[2] + ",\"failed\":" + pushes[3] + "}"
                + ",\"wakeDeliveryMicros\":{\"count\":" + wake[0] + ",\"p50\":" + wake[1] + ",\"p99\":" + wake[2]
                + ",\"p999\":" + wake[3] + ",\"max\":" + wake[4] + "}"
                + writes
                + ",\"heapUsedBytes\":" + (rt.totalMemory() - rt.freeMemory()) + "}\n");
    }
}
