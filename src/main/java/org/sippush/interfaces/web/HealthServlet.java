package org.sippush.interfaces.web;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

import org.sippush.application.ops.PushRecord;
import org.sippush.domain.binding.PushProvider;
import org.sippush.domain.push.Json;

/**
 * {@code GET /health}, for load balancers: 200 when the database answers and every SIP connector
 * listens, else 503; the JSON body says which part failed and what each configured push
 * provider answered last. A provider's bad answers do not make the server unhealthy (another node
 * would get the same answer from Apple or Google); they are shown for the operator. No login:
 * load balancers probe without credentials, and nothing here names a user or a token.
 */
public class HealthServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Operations ops = Operations.of(getServletContext());
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        if (ops == null) {
            response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
            response.getWriter().write("{\"status\":\"down\",\"reason\":\"application not started\"}\n");
            return;
        }
        boolean database = ops.database().reachable();
        List<SipListening.Connector> sip = SipListening.check(getServletContext());
        boolean sipUp = !sip.isEmpty() && sip.stream().allMatch(SipListening.Connector::listening);
        boolean up = database && sipUp;
        StringBuilder json = new StringBuilder("{\"status\":").append(Json.quote(up ? "up" : "down"))
                .append(",\"database\":{\"reachable\":").append(database).append('}')
                .append(",\"sip\":{\"listening\":").append(sipUp).append(",\"connectors\":[");
        for (int i = 0; i < sip.size(); i++) {
            SipListening.Connector c = sip.get(i);
            json.append(i == 0 ? "" : ",").append("{\"transport\":").append(Json.quote(c.transport()))
                    .append(",\"address\":").append(Json.quote(c.address())).append(",\"port\":").append(c.port())
                    .append(",\"listening\":").append(c.listening()).append('}');
        }
        json.append("]},\"pushProviders\":{");
        Map<String, PushRecord> last = ops.services().pushes().log().lastByProvider();
        boolean first = true;
        for (PushProvider provider : ops.services().pushes().providers()) {
            PushRecord record = last.get(provider.wireName());
            json.append(first ? "" : ",").append(Json.quote(provider.wireName())).append(':');
            first = false;
            if (record == null) {
                json.append("{\"last\":null}");
            } else {
                json.append("{\"last\":").append(Json.quote(record.outcome()))
                        .append(",\"reason\":").append(Json.quote(record.reason()))
                        .append(",\"at\":").append(Json.quote(record.at().toString())).append('}');
            }
        }
        json.append("},\"checkedAt\":").append(Json.quote(Instant.now().toString())).append("}\n");
        response.setStatus(up ? HttpServletResponse.SC_OK : HttpServletResponse.SC_SERVICE_UNAVAILABLE);
        response.getWriter().write(json.toString());
    }
}
