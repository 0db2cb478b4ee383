package org.sippush.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A real, private PostgreSQL server for tests, run from the binaries of Debian's {@code postgresql}
 * package (highest {@code /usr/lib/postgresql/<version>/bin}, else {@code pg_config --bindir}, else
 * {@code initdb}/{@code postgres} on the PATH; {@code -Dsippush.pg.bin=...} or {@code SIPPUSH_PG_BIN}
 * override).
 *
 * <p>Every server gets a fresh cluster in a temporary directory ({@code initdb}, trust auth, user
 * {@code test}), listens on 127.0.0.1 only, on a free port, and has a database {@code sippush}.
 * initdb and postgres refuse to run as root, so when the JVM runs as root they are run as the
 * {@code postgres} system user (created by the Debian package) through {@code runuser} (or
 * {@code su}); the temporary directory is then created under {@code /tmp} and given to that user.
 *
 * <p>No server outlives the JVM: {@link #close()} stops it (fast shutdown) and deletes its
 * directory, a JVM shutdown hook closes every server still running, and postgres runs under a small
 * {@code sh} watchdog that reads the JVM's end of a pipe: if the JVM dies without running its hooks
 * (SIGKILL), the pipe reaches end-of-file and the watchdog shuts postgres down and removes the
 * directory itself.
 */
public final class PostgresServer implements AutoCloseable {

    private static final java.sql.Driver DRIVER = new org.postgresql.Driver();

    private static final String DATABASE = "sippush";
    private static final String USER = "test";
    private static final String HOST = "127.0.0.1";
    private static final long START_TIMEOUT_MS = 60_000;
    private static final long INITDB_TIMEOUT_MS = 60_000;
    private static final long STOP_TIMEOUT_MS = 30_000;
    private static final int PORT_ATTEMPTS = 5;

    /** Servers started and not yet closed; closed by the shutdown hook. */
    private static final Set<PostgresServer> LIVE = ConcurrentHashMap.newKeySet();

    private static PostgresServer shared;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                for (PostgresServer server : LIVE) {
                    server.close();
                }
            }, "PostgresServer-shutdown"));
        } catch (IllegalStateException alreadyShuttingDown) {
            // the watchdog still stops any server started now
        }
    }

    /*
     * Runs postgres ($1) with the remaining arguments in the background, and a watchdog that waits
     * for a line on the JVM's pipe (fd 3, a dup of stdin). "stop" (written by close()) -> fast
     * shutdown; end-of-file (the JVM died) -> fast shutdown, then delete the directory ($2). The
     * watchdog escalates to immediate shutdown after 15 s and SIGKILL after 30 s.
     */
    private static final String WRAPPER = String.join("\n",
            "pg=$1; base=$2; shift 2",
            "exec 3<&0",
            "\"$pg\" \"$@\" </dev/null 3<&- &",
            "pid=$!",
            "(",
            "  cmd=",
            "  read -r cmd <&3 || cmd=",
            "  kill -INT \"$pid\" 2>/dev/null || exit 0",
            "  i=0",
            "  while kill -0 \"$pid\" 2>/dev/null; do",
            "    i=$((i + 1))",
            "    if [ \"$i\" -eq 150 ]; then kill -QUIT \"$pid\" 2>/dev/null; fi",
            "    if [ \"$i\" -ge 300 ]; then kill -KILL \"$pid\" 2>/dev/null; fi",
            "    sleep 0.1",
            "  done",
            "  if [ \"$cmd\" != stop ]; then rm -rf \"$base\"; fi",
            ") </dev/null &",
            "exec 3<&-",
            "wait \"$pid\"");

    private final Path baseDir;
    private final Path dataDir;
    private final Path logFile;
    private final int port;
    private final Process process;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresServer(Path baseDir, Path dataDir, Path logFile, int port, Process process) {
        this.baseDir = baseDir;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.port = port;
        this.process = process;
    }

    /**
     * Creates a fresh cluster, starts postgres on a free loopback port, waits until it accepts
     * connections (at most 60 s) and creates the database {@code sippush}.
     */
    public static PostgresServer start() throws IOException, InterruptedException {
        Path bin = binDir();
        String osUser = runAsUser();
        Path base = createBaseDir(osUser);
        Path data = base.resolve("data");
        Path log = data.resolve("postgres.log");
        Process process = null;
        boolean started = false;
        try {
            initdb(bin, osUser, base, data);
            Files.writeString(data.resolve("pg_hba.conf"),
                    "# written by PostgresServer (tests): trust, loopback only\n"
                            + "local all all trust\n"
                            + "host  all all 127.0.0.1/32 trust\n");

            for (int attempt = 1; ; attempt++) {
                int port = FreePorts.tcp();
                process = launch(bin, osUser, base, data, log, port);
                Connection connection;
                try {
                    connection = awaitReady(process, data, log, port);
                } catch (PortInUseException e) {
                    stop(process);
                    process = null;
                    if (attempt >= PORT_ATTEMPTS) {
                        throw new IOException("postgres could not bind a port after " + attempt
                                + " attempts" + logTail(log));
                    }
                    continue;
                }
                try (connection; Statement statement = connection.createStatement()) {
                    statement.execute("CREATE DATABASE " + DATABASE);
                } catch (SQLException e) {
                    throw new IOException("could not create database " + DATABASE + ": " + e
                            + logTail(log), e);
                }
                PostgresServer server = new PostgresServer(base, data, log, port, process);
                LIVE.add(server);
                started = true;
                return server;
            }
        } finally {
            if (!started) {
                if (process != null) {
                    stop(process);
                }
                deleteTree(base);
            }
        }
    }

    /**
     * One server per JVM, started on first use and stopped by the JVM shutdown hook; for test
     * classes that want to share it (they must not close it, and should use their own tables or
     * schemas). Started again if someone closed it anyway.
     */
    public static synchronized PostgresServer shared() {
        if (shared == null || shared.closed.get()) {
            try {
                shared = start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting PostgreSQL", e);
            }
        }
        return shared;
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/sippush}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + HOST + ":" + port + "/" + DATABASE;
    }

    /** The superuser the cluster was created with. */
    public String user() {
        return USER;
    }

    /** Empty: the server trusts every connection from 127.0.0.1 (any password is accepted). */
    public String password() {
        return "";
    }

    /** The TCP port the server listens on (127.0.0.1 only). */
    public int port() {
        return port;
    }

    /** The temporary directory holding the cluster ({@code data/}, with {@code postgres.log}). */
    Path directory() {
        return baseDir;
    }

    /** Stops the server (fast shutdown) and deletes its directory. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            stop(process);
        } finally {
            LIVE.remove(this);
            deleteTree(baseDir);
        }
    }

    @Override
    public String toString() {
        return "PostgresServer[" + jdbcUrl() + ", " + dataDir + (closed.get() ? ", closed" : "")
                + "]";
    }

    // ---------------------------------------------------------------- start

    private static void initdb(Path bin, String osUser, Path base, Path data)
            throws IOException, InterruptedException {
        Path log = base.resolve("initdb.log");
        List<String> command = asUser(osUser, List.of(bin.resolve("initdb").toString(),
                "-D", data.toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C",
                "--no-sync"));
        Process initdb = processBuilder(command, base)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        initdb.getOutputStream().close();
        if (!initdb.waitFor(INITDB_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
            kill(initdb);
            throw new IOException("initdb did not finish in " + INITDB_TIMEOUT_MS + " ms: "
                    + command + logTail(log));
        }
        if (initdb.exitValue() != 0) {
            throw new IOException("initdb failed with exit code " + initdb.exitValue() + ": "
                    + command + logTail(log));
        }
    }

    private static Process launch(Path bin, String osUser, Path base, Path data, Path log, int port)
            throws IOException {
        List<String> postgres = List.of(
                bin.resolve("postgres").toString(), "-D", data.toString(),
                "-p", Integer.toString(port), "-h", HOST, "-k", socketDir(base),
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "shared_buffers=16MB",
                "-c", "max_connections=50",
                "-c", "logging_collector=off",
                "-c", "log_destination=stderr");
        List<String> wrapper = new ArrayList<>(List.of("/bin/sh", "-c", WRAPPER, "pg-watchdog"));
        wrapper.add(postgres.get(0));
        wrapper.add(base.toString());
        wrapper.addAll(postgres.subList(1, postgres.size()));
        return processBuilder(asUser(osUser, wrapper), base)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start(); // stdin stays a pipe: it is the watchdog's lifeline
    }

    /** The Unix socket directory, or "" (no Unix socket) if the path would be too long. */
    private static String socketDir(Path base) {
        // sun_path holds 107 bytes; the socket file is "/.s.PGSQL.<port>" (up to 16 bytes)
        return base.toString().length() <= 90 ? base.toString() : "";
    }

    /** Polls with JDBC (short backoff) until the server accepts connections; returns that one. */
    private static Connection awaitReady(Process process, Path data, Path log, int port)
            throws IOException, InterruptedException {
        String url = "jdbc:postgresql://" + HOST + ":" + port + "/postgres";
        Properties props = new Properties();
        props.setProperty("user", USER);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "60");
        props.setProperty("ApplicationName", "PostgresServer");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(START_TIMEOUT_MS);
        long delayMs = 5;
        SQLException last = null;
        while (true) {
            if (!process.isAlive()) {
                String tail = logTail(log);
                if (tail.contains("Address already in use")
                        || tail.contains("could not create any TCP/IP sockets")) {
                    throw new PortInUseException();
                }
                throw new IOException("postgres exited with code " + process.exitValue()
                        + " during startup" + tail);
            }
            try {
                // the driver itself, not DriverManager: in a JVM that also runs the container,
                // DriverManager may only know the drivers of a web application's class loader
                Connection connection = DRIVER.connect(url, props);
                if (connection == null) {
                    throw new SQLException("the PostgreSQL driver does not take " + url);
                }
                if (isOurs(connection, data)) {
                    return connection;
                }
                connection.close(); // someone else's server got the port first
                throw new PortInUseException();
            } catch (SQLException e) {
                last = e; // connection refused, or "the database system is starting up"
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("postgres did not accept connections on " + url + " within "
                        + START_TIMEOUT_MS + " ms (last error: " + last + ")" + logTail(log));
            }
            // waits like a sleep, but returns at once if postgres dies
            process.waitFor(delayMs, TimeUnit.MILLISECONDS);
            delayMs = Math.min(100, delayMs * 2);
        }
    }

    private static boolean isOurs(Connection connection, Path data) throws SQLException {
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("SHOW data_directory")) {
            rs.next();
            return Path.of(rs.getString(1)).toRealPath().equals(data.toRealPath());
        } catch (IOException e) {
            return false;
        }
    }

    private static final class PortInUseException extends IOException {
        private static final long serialVersionUID = 1L;
    }

    // ---------------------------------------------------------------- stop

    /** Asks the watchdog for a fast shutdown and waits; kills the process tree if that hangs. */
    private static void stop(Process process) {
        try (OutputStream toWatchdog = process.getOutputStream()) {
            toWatchdog.write("stop\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException alreadyGone) {
            // the wrapper has exited; the watchdog got end-of-file and finds nothing to stop
        }
        boolean interrupted = false;
        try {
            if (process.waitFor(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            interrupted = true;
        }
        kill(process);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private static void kill(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- environment

    /** The OS user to run initdb/postgres as (via runuser/su), or null to run them directly. */
    private static String runAsUser() {
        if (!isRoot()) {
            return null;
        }
        String configured = System.getProperty("sippush.pg.osuser");
        return configured == null || configured.isBlank() ? "postgres" : configured;
    }

    private static boolean isRoot() {
        try {
            return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
        } catch (Throwable notUnix) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static List<String> asUser(String osUser, List<String> command) {
        if (osUser == null) {
            return command;
        }
        for (String runuser : List.of("/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser")) {
            if (Files.isExecutable(Path.of(runuser))) {
                List<String> wrapped = new ArrayList<>(List.of(runuser, "-u", osUser, "--"));
                wrapped.addAll(command);
                return wrapped;
            }
        }
        StringBuilder line = new StringBuilder("exec");
        for (String arg : command) {
            line.append(' ').append('\'').append(arg.replace("'", "'\\''")).append('\'');
        }
        return List.of("su", "-s", "/bin/sh", "-c", line.toString(), osUser);
    }

    private static ProcessBuilder processBuilder(List<String> command, Path workDir) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("PG"));
        env.put("LC_ALL", "C");
        env.put("LANG", "C");
        return builder;
    }

    private static Path createBaseDir(String osUser) throws IOException {
        if (osUser == null) {
            return Files.createTempDirectory("sippush-pg-");
        }
        // as root: somewhere the postgres user can reach, then hand it over
        Path tmp = Path.of(System.getProperty("sippush.pg.tmpdir", "/tmp"));
        Path base = Files.createTempDirectory(tmp, "sippush-pg-");
        try {
            UserPrincipalLookupService lookup =
                    FileSystems.getDefault().getUserPrincipalLookupService();
            Files.setOwner(base, lookup.lookupPrincipalByName(osUser));
            try {
                GroupPrincipal group = lookup.lookupPrincipalByGroupName(osUser);
                Files.getFileAttributeView(base, PosixFileAttributeView.class).setGroup(group);
            } catch (UserPrincipalNotFoundException noSuchGroup) {
                // mode 0700: the group does not matter
            }
        } catch (UserPrincipalNotFoundException e) {
            deleteTree(base);
            throw new IOException("running as root, so initdb/postgres must run as the '" + osUser
                    + "' user, which does not exist (it is created by `apt-get install -y"
                    + " postgresql`; or set -Dsippush.pg.osuser=...)", e);
        }
        return base;
    }

    /** The PostgreSQL server bin directory (containing initdb and postgres). */
    static Path binDir() throws IOException {
        String configured = System.getProperty("sippush.pg.bin", System.getenv("SIPPUSH_PG_BIN"));
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured);
            if (!hasServer(dir)) {
                throw new IOException("no initdb/postgres in configured PostgreSQL bin dir " + dir);
            }
            return dir;
        }
        Path best = null;
        int[] bestVersion = null;
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (DirectoryStream<Path> versions = Files.newDirectoryStream(debian)) {
                for (Path versionDir : versions) {
                    int[] version = parseVersion(versionDir.getFileName().toString());
                    Path dir = versionDir.resolve("bin");
                    if (version != null && hasServer(dir)
                            && (bestVersion == null || compare(version, bestVersion) > 0)) {
                        best = dir;
                        bestVersion = version;
                    }
                }
            }
        }
        if (best != null) {
            return best;
        }
        Path fromPgConfig = pgConfigBinDir();
        if (fromPgConfig != null && hasServer(fromPgConfig)) {
            return fromPgConfig;
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String entry : path.split(File.pathSeparator)) {
                if (!entry.isEmpty() && hasServer(Path.of(entry))) {
                    return Path.of(entry);
                }
            }
        }
        throw new IOException("PostgreSQL server binaries not found (looked in"
                + " /usr/lib/postgresql/*/bin, `pg_config --bindir` and the PATH);"
                + " install them with `apt-get install -y postgresql`"
                + " or set -Dsippush.pg.bin=/path/to/bin");
    }

    private static Path pgConfigBinDir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
                p.destroyForcibly();
                return null;
            }
            return Path.of(out.lines().reduce((a, b) -> b).orElse(out).trim());
        } catch (IOException | RuntimeException e) {
            return null; // no pg_config
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static boolean hasServer(Path dir) {
        return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("postgres"));
    }

    private static int[] parseVersion(String name) {
        try {
            return Arrays.stream(name.split("\\.")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static int compare(int[] a, int[] b) {
        return Arrays.compare(a, b);
    }

    // ---------------------------------------------------------------- files

    private static String logTail(Path log) {
        try {
            byte[] bytes = Files.readAllBytes(log);
            int from = Math.max(0, bytes.length - 4000);
            String tail = new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
            return "\n--- tail of " + log + " ---\n" + tail;
        } catch (IOException e) {
            return "\n(no log at " + log + ": " + e + ")";
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                        throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e)
                        throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException gone) {
            // nothing to delete
        } catch (IOException e) {
            System.err.println("PostgresServer: could not delete " + root + ": " + e);
        }
    }
}
