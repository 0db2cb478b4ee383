package org.sippush.testsupport;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone server (the container {@code mvn package} assembles in {@code target/server}),
 * run the way users run it: a child JVM
 * {@code java -Xmx512m <--add-opens ...> -Dcatalina.base=<dir> -cp "<dir>/lib/*" org.sippush.launcher.ServerLauncher},
 * configured through {@code SIPPUSH_*} environment variables.
 *
 * <p>Each instance works on a private copy of {@code it.server.dir} (made once, by
 * {@link #copyOf(String)}), so tests never touch {@code target/server}. One instance can be
 * started and stopped several times (on the same copy, e.g. to restart on the same database).
 * Its console output (stdout and stderr) is appended to {@code <copy>/console.log}, and read line
 * by line as it comes: {@link #start()} returns when Tomcat prints "Server startup in", and fails
 * (with the log's tail) if the process dies, a SEVERE line shows up, or 90 s pass;
 * {@link #startExpectingExit()} is for a start that must fail.
 *
 * <p>{@link #stop()} sends SIGTERM ({@link Process#destroy()}), as Ctrl-C or a service manager
 * would, and waits for the exit and for the SIP (UDP+TCP) and HTTP ports to be free again. A JVM
 * shutdown hook kills servers that a test left running.
 */
public final class StandaloneServer implements AutoCloseable {

    public static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration PORT_RELEASE_TIMEOUT = Duration.ofSeconds(30);
    /** What Tomcat prints when the container (with its applications) is up. */
    public static final String STARTED = "Server startup in";
    /** The exit status of a JVM that ended on SIGTERM after running its shutdown hooks (128 + 15). */
    public static final int EXIT_ON_SIGTERM = 143;
    /** pom.xml's {@code java.opens}; read from pom.xml when the tests run from the project directory. */
    private static final String DEFAULT_OPENS = "--add-opens java.base/java.lang=ALL-UNNAMED"
            + " --add-opens java.base/java.util=ALL-UNNAMED --add-opens java.base/java.util.concurrent=ALL-UNNAMED"
            + " --add-opens java.base/java.io=ALL-UNNAMED --add-opens java.rmi/sun.rmi.transport=ALL-UNNAMED";
    /** Directories of a server that hold run-time state, not the installation: not copied. */
    private static final Set<String> STATE_DIRS = Set.of("data", "logs", "temp", "work");
    private static final String EOF = "\u0000<end of output>";
    private static final InetAddress LOOPBACK = loopback();

    private static final Set<StandaloneServer> LIVE = ConcurrentHashMap.newKeySet();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (StandaloneServer server : LIVE) {
                    server.kill();
                }
            }, "StandaloneServer-shutdown"));
        } catch (IllegalStateException alreadyShuttingDown) {
            // no server can be started any more either
        }
    }

    private final Path baseDir;
    private final Path consoleLog;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private int sipPort;
    private int httpPort;
    private boolean tls;
    private int tlsPort;
    private int runs;

    private volatile Process process;
    private Thread pump;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> fresh = new LinkedBlockingQueue<>();

    private StandaloneServer(Path baseDir) {
        this.baseDir = baseDir;
        this.consoleLog = baseDir.resolve("console.log");
        env.put("SIPPUSH_SIP_DOMAINS", "example.test");
        env.put("SIPPUSH_SIP_BIND_ADDRESS", "127.0.0.1");
        env.put("SIPPUSH_HTTP_ADDRESS", "127.0.0.1");
        // Tests of other features run without digest authentication and without the per-source
        // rate limit (every test phone sends from 127.0.0.1); the security tests turn both on.
        env.put("SIPPUSH_AUTH_ENABLED", "false");
        env.put("SIPPUSH_LIMITS_REQUESTS_PER_SECOND", "0");
    }

    /**
     * Copies the assembled server ({@code it.server.dir}, default {@code target/server}; without
     * its run-time directories data, logs, temp and work) to a new directory under
     * {@code it.work.dir} (default {@code target/it}) and returns a server (not started) on it.
     */
    public static StandaloneServer copyOf(String name) {
        Path source = Path.of(System.getProperty("it.server.dir", "target/server")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(source.resolve("conf/server.xml")) || !Files.isDirectory(source.resolve("lib"))) {
            throw new IllegalStateException("No server assembled at " + source + " (mvn verify packages it first)");
        }
        try {
            Path work = Files.createDirectories(
                    Path.of(System.getProperty("it.work.dir", "target/it")).toAbsolutePath().normalize());
            Path target = Files.createTempDirectory(work, "standalone-" + name + "-");
            copyTree(source, target);
            return new StandaloneServer(target);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy " + source, e);
        }
    }

    // ---------------------------------------------------------------- settings (before start)

    /** The database (SIPPUSH_DB_URL, _USER, _PASSWORD) for the next start. */
    public StandaloneServer database(String url, String user, String password) {
        env.put("SIPPUSH_DB_URL", url);
        env.put("SIPPUSH_DB_USER", user);
        env.put("SIPPUSH_DB_PASSWORD", password);
        return this;
    }

    /**
     * SIP over TLS from the next start on, with this keystore (PKCS12) and password: the server then
     * also listens for TLS on a free port of its own ({@link #tlsPort()}).
     */
    public StandaloneServer tls(Path keystore, String password) {
        env.put("SIPPUSH_SIP_TLS_KEYSTORE", keystore.toAbsolutePath().toString());
        env.put("SIPPUSH_SIP_TLS_KEYSTORE_PASSWORD", password);
        tls = true;
        return this;
    }

    /** Any other setting, as its environment variable ({@code SIPPUSH_...}). */
    public StandaloneServer setting(String environmentVariable, String value) {
        env.put(environmentVariable, value);
        return this;
    }

    /**
     * Drops an environment variable set before (here or by the defaults of this class, such as
     * {@code SIPPUSH_AUTH_ENABLED=false}), so that the shipped configuration file decides.
     */
    public StandaloneServer withoutSetting(String environmentVariable) {
        env.remove(environmentVariable);
        return this;
    }

    /**
     * Options for the server's JVM from the next start on, after the defaults ({@code -Xmx512m} and
     * pom.xml's {@code --add-opens}); a later {@code -Xmx} wins over the default one.
     */
    public StandaloneServer jvmOptions(String... options) {
        jvmOptions.clear();
        jvmOptions.addAll(Arrays.asList(options));
        return this;
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Starts the server and waits (at most 90 s) until Tomcat reports "Server startup in". The SIP
     * and HTTP ports of the previous run are kept if they are still free, else new free ones are
     * taken. Fails with the log's tail if the process ends first or prints a SEVERE line; a port
     * taken by someone else in the meantime is retried on new ports.
     */
    public synchronized StandaloneServer start() {
        if (isRunning()) {
            throw new IllegalStateException("already running: " + this);
        }
        for (int attempt = 1; ; attempt++) {
            if (sipPort == 0 || !sipPortFree(sipPort)) {
                sipPort = FreePorts.udpAndTcp();
            }
            if (httpPort == 0 || !tcpFree(httpPort)) {
                httpPort = FreePorts.tcp();
            }
            if (tls && (tlsPort == 0 || !tcpFree(tlsPort))) {
                tlsPort = FreePorts.tcp();
            }
            try {
                launch();
                awaitStartup();
                return this;
            } catch (PortTaken e) {
                kill();
                sipPort = 0;
                httpPort = 0;
                tlsPort = 0;
                if (attempt >= 3) {
                    throw new AssertionError("server could not bind its ports " + attempt + " times" + tail(), e);
                }
            } catch (RuntimeException | Error e) {
                kill();
                throw e;
            }
        }
    }

    /**
     * Starts the server when it is expected to refuse: waits (at most 90 s) for the process to end
     * by itself and returns its exit status; {@link #output()} then holds what it printed. Fails
     * (and kills it) if the server reports "Server startup in" instead.
     */
    public synchronized int startExpectingExit() {
        if (isRunning()) {
            throw new IllegalStateException("already running: " + this);
        }
        if (sipPort == 0) {
            sipPort = FreePorts.udpAndTcp();
        }
        if (httpPort == 0) {
            httpPort = FreePorts.tcp();
        }
        if (tls && tlsPort == 0) {
            tlsPort = FreePorts.tcp();
        }
        launch();
        Process started = process;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (true) {
                String line = fresh.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    kill();
                    throw new AssertionError("server neither started nor ended within " + START_TIMEOUT + tail());
                }
                if (line.contains(STARTED)) {
                    kill();
                    throw new AssertionError("server started although it should have refused to" + tail());
                }
                if (line.equals(EOF)) {
                    int exit = started.waitFor();
                    joinPump();
                    LIVE.remove(this);
                    process = null;
                    return exit;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new AssertionError("interrupted while waiting for the server", e);
        }
    }

    private void launch() {
        runs++;
        output.clear();
        fresh.clear();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx512m");
        command.addAll(Arrays.asList(javaOpens().trim().split("\\s+")));
        command.addAll(jvmOptions);
        command.add("-Dcatalina.base=" + baseDir);
        command.add("-cp");
        command.add(baseDir.resolve("lib") + "/*");
        command.add("org.sippush.launcher.ServerLauncher");
        ProcessBuilder builder = new ProcessBuilder(command).directory(baseDir.toFile()).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("SIPPUSH_"));
        builder.environment().putAll(env);
        builder.environment().put("SIPPUSH_SIP_PORT", Integer.toString(sipPort));
        builder.environment().put("SIPPUSH_HTTP_PORT", Integer.toString(httpPort));
        if (tls) {
            builder.environment().put("SIPPUSH_SIP_TLS_PORT", Integer.toString(tlsPort));
        }
        try {
            appendToLog(List.of("", "===== run " + runs + " at " + LocalDateTime.now() + ": SIP " + sipPort
                    + " (udp, tcp)" + (tls ? ", " + tlsPort + " (tls)" : "") + ", HTTP " + httpPort + ", "
                    + String.join(" ", command)));
            Process started = builder.start();
            started.getOutputStream().close();
            process = started;
            LIVE.add(this);
            pump = new Thread(() -> pump(started), "StandaloneServer-output-" + runs);
            pump.setDaemon(true);
            pump.start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start " + command, e);
        }
    }

    /** Copies the process's output, line by line, to the log, the list of lines and the queue. */
    private void pump(Process from) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(from.getInputStream(), StandardCharsets.UTF_8));
             BufferedWriter log = Files.newBufferedWriter(consoleLog, StandardCharsets.UTF_8,
                     StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = in.readLine()) != null) {
                log.write(line);
                log.newLine();
                log.flush();
                output.add(line);
                fresh.add(line);
            }
        } catch (IOException e) {
            fresh.add("(reading the server's output failed: " + e + ")");
        } finally {
            fresh.add(EOF);
        }
    }

    private void awaitStartup() {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        List<String> severe = new ArrayList<>();
        boolean portTaken = false;
        while (true) {
            String line;
            try {
                line = fresh.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting for the server", e);
            }
            if (line == null) {
                throw new AssertionError("server did not print \"" + STARTED + "\" within " + START_TIMEOUT + tail());
            }
            if (line.equals(EOF)) {
                throw new AssertionError("server process ended during startup, exit " + exitValueOrWait() + tail());
            }
            if (line.contains("Address already in use") || line.contains("BindException")) {
                portTaken = true;
            }
            if (line.contains("SEVERE")) {
                severe.add(line);
            }
            if (line.contains(STARTED)) {
                if (portTaken) {
                    throw new PortTaken();
                }
                if (!severe.isEmpty()) {
                    throw new AssertionError("server logged SEVERE during startup: " + severe + tail());
                }
                return;
            }
        }
    }

    /**
     * Stops the server with SIGTERM, as Ctrl-C or {@code systemctl stop} do, waits (at most 30 s,
     * then kills it and fails) for the process to end and for its SIP (UDP and TCP) and HTTP ports
     * to be free, and returns the exit status (143 for a JVM that ended on SIGTERM).
     */
    public synchronized int stop() {
        Process running = process;
        if (running == null) {
            throw new IllegalStateException("not started: " + this);
        }
        // SIGTERM. Through the ProcessHandle: Process.destroy() would also close our end of the
        // output pipe, and lose what the server prints while it stops.
        running.toHandle().destroy();
        boolean exited;
        try {
            exited = running.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            kill();
            throw new AssertionError("interrupted while stopping the server", e);
        }
        if (!exited) {
            kill();
            throw new AssertionError("server did not stop within " + STOP_TIMEOUT + " of SIGTERM; killed" + tail());
        }
        joinPump();
        LIVE.remove(this);
        process = null;
        int exit = running.exitValue();
        awaitPortsReleased();
        return exit;
    }

    /** Waits until a UDP and a TCP socket can be bound to the SIP port, and a TCP one to the HTTP (and TLS) port. */
    private void awaitPortsReleased() {
        long deadline = System.nanoTime() + PORT_RELEASE_TIMEOUT.toNanos();
        long pause = 20;
        while (!(sipPortFree(sipPort) && tcpFree(httpPort) && (tlsPort == 0 || tcpFree(tlsPort)))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("ports SIP " + sipPort + " / HTTP " + httpPort + " / TLS " + tlsPort
                        + " still taken " + PORT_RELEASE_TIMEOUT + " after the server ended");
            }
            // polling with a short back-off, like org.sippush.it.Awaits (not reachable from here)
            try {
                TimeUnit.MILLISECONDS.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
            pause = Math.min(pause * 2, 250);
        }
    }

    /** Stops the server if it is running (SIGTERM, then SIGKILL if need be), without asserting anything. */
    @Override
    public synchronized void close() {
        if (process != null) {
            try {
                stop();
            } catch (AssertionError | RuntimeException e) {
                kill();
            }
        }
    }

    private void kill() {
        Process running = process;
        if (running == null) {
            return;
        }
        running.descendants().forEach(ProcessHandle::destroyForcibly);
        running.destroyForcibly();
        try {
            running.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LIVE.remove(this);
        process = null;
    }

    private void joinPump() {
        Thread reader = pump;
        if (reader != null) {
            try {
                reader.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    // ---------------------------------------------------------------- what tests look at

    /** The server JVM's process id (for jcmd, /proc), or -1 when it is not running. */
    public long pid() {
        Process p = process;
        return p == null ? -1 : p.pid();
    }

    public boolean isRunning() {
        Process running = process;
        return running != null && running.isAlive();
    }

    public int sipPort() {
        return sipPort;
    }

    public int httpPort() {
        return httpPort;
    }

    /** The SIP-over-TLS port; 0 unless {@link #tls} was set. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The copy of the server this instance runs. */
    public Path baseDir() {
        return baseDir;
    }

    /** Stdout and stderr of all runs. */
    public Path consoleLog() {
        return consoleLog;
    }

    /** The lines the current (or last) run printed so far. */
    public List<String> output() {
        return List.copyOf(output);
    }

    /** The lines of the current (or last) run that contain {@code text}. */
    public List<String> linesContaining(String text) {
        return output.stream().filter(line -> line.contains(text)).toList();
    }

    /** The last 60 lines of the current (or last) run, for failure messages. */
    public String tail() {
        List<String> lines = output();
        int from = Math.max(0, lines.size() - 60);
        return "\n--- last lines of " + consoleLog + " (run " + runs + ") ---\n"
                + String.join("\n", lines.subList(from, lines.size()));
    }

    @Override
    public String toString() {
        return "StandaloneServer[" + baseDir + ", SIP " + sipPort + ", HTTP " + httpPort
                + (isRunning() ? ", running" : "") + "]";
    }

    // ---------------------------------------------------------------- helpers

    private int exitValueOrWait() {
        try {
            Process running = process;
            return running == null ? -1 : running.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private void appendToLog(List<String> lines) throws IOException {
        Files.write(consoleLog, lines, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** pom.xml's java.opens property if the project's pom is at hand, else the same list built in. */
    static String javaOpens() {
        Path pom = Path.of("pom.xml");
        if (Files.isRegularFile(pom)) {
            try {
                Matcher m = Pattern.compile("<java\\.opens>([^<]*)</java\\.opens>").matcher(Files.readString(pom));
                if (m.find() && !m.group(1).isBlank()) {
                    return m.group(1);
                }
            } catch (IOException e) {
                // fall back to the built-in list
            }
        }
        return DEFAULT_OPENS;
    }

    /** Free for the server: a UDP and a TCP listening socket can both be bound on 127.0.0.1. */
    static boolean sipPortFree(int port) {
        try (DatagramSocket udp = new DatagramSocket(null)) {
            udp.setReuseAddress(false);
            udp.bind(new InetSocketAddress(LOOPBACK, port));
        } catch (IOException e) {
            return false;
        }
        return tcpFree(port);
    }

    /** A TCP listening socket can be bound (with SO_REUSEADDR, as the server's sockets are). */
    static boolean tcpFree(int port) {
        try (ServerSocket tcp = new ServerSocket()) {
            tcp.setReuseAddress(true);
            tcp.bind(new InetSocketAddress(LOOPBACK, port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path relative = source.relativize(dir);
                if (relative.getNameCount() == 1 && STATE_DIRS.contains(relative.toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(target.resolve(relative.toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, target.resolve(source.relativize(file).toString()),
                        StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The server could not bind a port that was free a moment before: start again on others. */
    private static final class PortTaken extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }
}
