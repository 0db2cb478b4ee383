package org.sippush.interfaces.web;

import java.io.IOException;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/** {@code GET /metrics}: Prometheus' text format (0.0.4), behind the operators' login (web.xml). */
public class MetricsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Operations ops = Operations.of(getServletContext());
        if (ops == null) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "application not started");
            return;
        }
        String text = ops.metrics().scrape();
        response.setContentType("text/plain; version=0.0.4");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(text);
    }
}
