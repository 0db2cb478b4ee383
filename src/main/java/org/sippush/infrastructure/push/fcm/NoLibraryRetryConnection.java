package org.sippush.infrastructure.push.fcm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Authenticator;
import java.net.HttpURLConnection;
import java.net.ProtocolException;
import java.net.URL;
import java.security.Permission;
import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A connection that behaves exactly like the one it wraps, except that a transient answer (429 or 5xx)
 * carries {@code Retry-After: 86400} and, in {@value #ORIGINAL_RETRY_AFTER}, the server's own
 * {@code Retry-After} (or {@value #NONE}).
 *
 * <p>Why: firebase-admin 9.11 retries every {@code 503} of FCM by itself, up to four times, sleeping 0.5,
 * 1, 2 and 4 s (or the server's {@code Retry-After}, up to 60 s) on the thread that sends, and FirebaseOptions
 * offers no way to turn that off. Its retry handler gives up at once when {@code Retry-After} asks for more
 * than 60 s, so this is the one lever that exists at the transport. {@link FcmAnswers} reads the original
 * value back, so the dispatcher still honours what Google asked for.
 */
final class NoLibraryRetryConnection extends HttpURLConnection {

    /** Where the server's own {@code Retry-After} is kept. */
    static final String ORIGINAL_RETRY_AFTER = "X-Sippush-Original-Retry-After";
    /** The value of {@value #ORIGINAL_RETRY_AFTER} when the server sent no {@code Retry-After}. */
    static final String NONE = "none";
    /** Longer than firebase-admin's 60 s cap, so it declines to retry. */
    static final String BEYOND_LIBRARY_CAP_SECONDS = "86400";

    private static final String RETRY_AFTER = "Retry-After";

    private final HttpURLConnection delegate;
    private volatile Headers headers;

    /** The response headers as a map and as numbered lines (for the index getters). */
    private record Headers(Map<String, List<String>> fields, List<Map.Entry<String, String>> lines) {
    }

    NoLibraryRetryConnection(HttpURLConnection delegate) {
        super(delegate.getURL());
        this.delegate = delegate;
    }

    static boolean transientStatus(int status) {
        return status == 429 || status >= 500;
    }

    /** The response headers as firebase-admin should see them; computed once the response is there. */
    private Headers headers() {
        Headers known = headers;
        if (known != null) {
            return known;
        }
        Map<String, List<String>> original = delegate.getHeaderFields();
        if (original.isEmpty()) {
            // No response (yet, or it could not be read): URLConnection's getters answer null then.
            return new Headers(Map.of(), List.of());
        }
        Map<String, List<String>> fields = transientStatus(status()) ? withoutRetryAfter(original) : original;
        List<Map.Entry<String, String>> lines = new ArrayList<>();
        fields.forEach((name, values) -> values.stream().filter(Objects::nonNull)
                .forEach(value -> lines.add(new SimpleImmutableEntry<>(name, value))));
        known = new Headers(fields, List.copyOf(lines));
        headers = known;
        return known;
    }

    private int status() {
        try {
            return delegate.getResponseCode();
        } catch (IOException e) {
            return -1;
        }
    }

    private static Map<String, List<String>> withoutRetryAfter(Map<String, List<String>> original) {
        Map<String, List<String>> changed = new LinkedHashMap<>();
        String retryAfter = null;
        for (Map.Entry<String, List<String>> header : original.entrySet()) {
            if (header.getKey() != null && header.getKey().equalsIgnoreCase(RETRY_AFTER)) {
                retryAfter = header.getValue().isEmpty() ? null : header.getValue().get(0);
            } else {
                changed.put(header.getKey(), header.getValue());
            }
        }
        changed.put(RETRY_AFTER, List.of(BEYOND_LIBRARY_CAP_SECONDS));
        changed.put(ORIGINAL_RETRY_AFTER,
                List.of(retryAfter == null || retryAfter.isBlank() ? NONE : retryAfter.trim()));
        return Collections.unmodifiableMap(changed);
    }

    @Override
    public Map<String, List<String>> getHeaderFields() {
        return headers().fields();
    }

    @Override
    public String getHeaderField(String name) {
        String value = null;
        for (Map.Entry<String, List<String>> header : headers().fields().entrySet()) {
            boolean match = name == null ? header.getKey() == null
                    : header.getKey() != null && header.getKey().equalsIgnoreCase(name);
            if (match && !header.getValue().isEmpty()) {
                value = header.getValue().get(header.getValue().size() - 1);
            }
        }
        return value;
    }

    @Override
    public String getHeaderFieldKey(int n) {
        List<Map.Entry<String, String>> lines = headers().lines();
        return n >= 0 && n < lines.size() ? lines.get(n).getKey() : null;
    }

    @Override
    public String getHeaderField(int n) {
        List<Map.Entry<String, String>> lines = headers().lines();
        return n >= 0 && n < lines.size() ? lines.get(n).getValue() : null;
    }

    @Override
    public long getHeaderFieldDate(String name, long defaultValue) {
        String value = getHeaderField(name);
        if (value == null) {
            return defaultValue;
        }
        try {
            return java.time.ZonedDateTime.parse(value, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant().toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            return defaultValue;
        }
    }

    @Override
    public int getHeaderFieldInt(String name, int defaultValue) {
        try {
            return Integer.parseInt(getHeaderField(name));
        } catch (NumberFormatException e) {
            return defaultValue;
        }
    }

    @Override
    public long getHeaderFieldLong(String name, long defaultValue) {
        try {
            return Long.parseLong(getHeaderField(name));
        } catch (NumberFormatException e) {
            return defaultValue;
        }
    }

    // ---- everything else is the wrapped connection's ----

    @Override
    public void connect() throws IOException {
        delegate.connect();
    }

    @Override
    public void disconnect() {
        delegate.disconnect();
    }

    @Override
    public boolean usingProxy() {
        return delegate.usingProxy();
    }

    @Override
    public int getResponseCode() throws IOException {
        return delegate.getResponseCode();
    }

    @Override
    public String getResponseMessage() throws IOException {
        return delegate.getResponseMessage();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        return delegate.getInputStream();
    }

    @Override
    public InputStream getErrorStream() {
        return delegate.getErrorStream();
    }

    @Override
    public OutputStream getOutputStream() throws IOException {
        return delegate.getOutputStream();
    }

    @Override
    public void setRequestMethod(String method) throws ProtocolException {
        delegate.setRequestMethod(method);
    }

    @Override
    public String getRequestMethod() {
        return delegate.getRequestMethod();
    }

    @Override
    public void setRequestProperty(String key, String value) {
        delegate.setRequestProperty(key, value);
    }

    @Override
    public void addRequestProperty(String key, String value) {
        delegate.addRequestProperty(key, value);
    }

    @Override
    public String getRequestProperty(String key) {
        return delegate.getRequestProperty(key);
    }

    @Override
    public Map<String, List<String>> getRequestProperties() {
        return delegate.getRequestProperties();
    }

    @Override
    public void setFixedLengthStreamingMode(int contentLength) {
        delegate.setFixedLengthStreamingMode(contentLength);
    }

    @Override
    public void setFixedLengthStreamingMode(long contentLength) {
        delegate.setFixedLengthStreamingMode(contentLength);
    }

    @Override
    public void setChunkedStreamingMode(int chunkLength) {
        delegate.setChunkedStreamingMode(chunkLength);
    }

    @Override
    public void setInstanceFollowRedirects(boolean followRedirects) {
        delegate.setInstanceFollowRedirects(followRedirects);
    }

    @Override
    public boolean getInstanceFollowRedirects() {
        return delegate.getInstanceFollowRedirects();
    }

    @Override
    public void setAuthenticator(Authenticator auth) {
        delegate.setAuthenticator(auth);
    }

    @Override
    public void setConnectTimeout(int timeout) {
        delegate.setConnectTimeout(timeout);
    }

    @Override
    public int getConnectTimeout() {
        return delegate.getConnectTimeout();
    }

    @Override
    public void setReadTimeout(int timeout) {
        delegate.setReadTimeout(timeout);
    }

    @Override
    public int getReadTimeout() {
        return delegate.getReadTimeout();
    }

    @Override
    public void setDoInput(boolean doInput) {
        delegate.setDoInput(doInput);
    }

    @Override
    public boolean getDoInput() {
        return delegate.getDoInput();
    }

    @Override
    public void setDoOutput(boolean doOutput) {
        delegate.setDoOutput(doOutput);
    }

    @Override
    public boolean getDoOutput() {
        return delegate.getDoOutput();
    }

    @Override
    public void setUseCaches(boolean useCaches) {
        delegate.setUseCaches(useCaches);
    }

    @Override
    public boolean getUseCaches() {
        return delegate.getUseCaches();
    }

    @Override
    public void setAllowUserInteraction(boolean allowUserInteraction) {
        delegate.setAllowUserInteraction(allowUserInteraction);
    }

    @Override
    public boolean getAllowUserInteraction() {
        return delegate.getAllowUserInteraction();
    }

    @Override
    public void setIfModifiedSince(long ifModifiedSince) {
        delegate.setIfModifiedSince(ifModifiedSince);
    }

    @Override
    public long getIfModifiedSince() {
        return delegate.getIfModifiedSince();
    }

    @Override
    public URL getURL() {
        return delegate.getURL();
    }

    @Override
    public String getContentType() {
        return getHeaderField("Content-Type");
    }

    @Override
    public String getContentEncoding() {
        return getHeaderField("Content-Encoding");
    }

    @Override
    public int getContentLength() {
        long length = getContentLengthLong();
        return length > Integer.MAX_VALUE ? -1 : (int) length;
    }

    @Override
    public long getContentLengthLong() {
        return getHeaderFieldLong("Content-Length", -1);
    }

    @Override
    public long getDate() {
        return getHeaderFieldDate("Date", 0);
    }

    @Override
    public long getExpiration() {
        return getHeaderFieldDate("Expires", 0);
    }

    @Override
    public long getLastModified() {
        return getHeaderFieldDate("Last-Modified", 0);
    }

    @Override
    public Object getContent() throws IOException {
        return delegate.getContent();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Object getContent(Class[] classes) throws IOException {
        return delegate.getContent(classes);
    }

    @Override
    public Permission getPermission() throws IOException {
        return delegate.getPermission();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
