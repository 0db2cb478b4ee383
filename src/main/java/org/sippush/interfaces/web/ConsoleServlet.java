package org.sippush.interfaces.web;

import java.io.IOException;
import java.time.Instant;

import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;

/**
 * The operator pages, {@code /console/} (overview) and {@code /console/users?q=USER}, and their JSON,
 * {@code /console/api/calls}, {@code /console/api/pushes}, {@code /console/api/counters},
 * {@code /console/api/users?q=USER}. Read-only; behind the operators' login (web.xml).
 */
public class ConsoleServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final int MAX_QUERY = 256;

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Operations ops = Operations.of(getServletContext());
        if (ops == null) {
            response.sendError(HttpServletResponse.SC_SERVICE_UNAVAILABLE, "application not started");
            return;
        }
        String path = request.getPathInfo() == null ? "/" : request.getPathInfo();
        if (request.getServletPath().endsWith("/console") && request.getPathInfo() == null) {
            response.sendRedirect(request.getContextPath() + "/console/");  // relative links resolve under /console/
            return;
        }
        Instant now = Instant.now();
        String query = request.getParameter("q");
        if (query != null && query.length() > MAX_QUERY) {
            response.sendError(HttpServletResponse.SC_BAD_REQUEST, "q is longer than " + MAX_QUERY + " characters");
            return;
        }
        switch (path) {
            case "/" -> html(response, ConsolePages.overview(Counters.of(ops), ops.services().metrics().heldCalls().all(),
                    ops.services().pushes().log().lastByProvider(), ops.services().pushes().log().recent(), now,
                    refresh(request)));
            case "/users" -> html(response, ConsolePages.users(query == null ? "" : query.trim(),
                    ops.users().find(query), now));
            case "/api/users" -> {
                if (query == null || query.isBlank()) {
                    response.sendError(HttpServletResponse.SC_BAD_REQUEST, "q (the user to find) is missing");
                    return;
                }
                json(response, ConsoleJson.users(ops.users().find(query), now));
            }
            case "/api/calls" -> json(response, ConsoleJson.calls(ops.services().metrics().heldCalls().all(), now));
            case "/api/pushes" -> json(response, ConsoleJson.pushes(ops.services().pushes().log().recent(),
                    ops.services().pushes().log().lastByProvider()));
            case "/api/counters" -> json(response, ConsoleJson.counters(Counters.of(ops)));
            default -> response.sendError(HttpServletResponse.SC_NOT_FOUND, "No page " + path
                    + " (pages: /console/, /console/users?q=USER; JSON: /console/api/{users?q=USER,calls,pushes,counters})");
        }
    }

    /** {@code ?refresh=N}: the overview reloads itself every N seconds (2..3600). */
    private static int refresh(HttpServletRequest request) {
        try {
            int seconds = Integer.parseInt(request.getParameter("refresh"));
            return seconds < 2 ? 0 : Math.min(seconds, 3600);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void html(HttpServletResponse response, String page) throws IOException {
        response.setContentType("text/html");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(page);
    }

    private static void json(HttpServletResponse response, String body) throws IOException {
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        response.setHeader("Cache-Control", "no-store");
        response.getWriter().write(body);
    }
}
