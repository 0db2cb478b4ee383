package org.sippush.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.sippush.testsupport.FreePorts;
import org.sippush.testsupport.StandaloneServer;

/**
 * The SIPp examples of {@code sipp/} exactly as README.md ("Register a phone") and sipp/README.md
 * tell users to run them, against the standalone server with digest authentication on: the
 * commands are read from the two READMEs (so a README that drifts from what works fails here), run
 * with free ports instead of 5060/5090/8080 and a private error file, plus {@code -trace_logs
 * -log_file} (which sipp/README.md suggests) to check what each call logged.
 *
 * <p>In order: the server starts with the {@code SIPPUSH_*} settings the READMEs put in front of
 * {@code mvn -Prun package} (MD5 offered first, for SIPp 3.6) and the shipped configuration
 * otherwise (authentication, rate limit, domains {@code localhost,127.0.0.1}); the users of
 * sipp/users.csv are provisioned with {@code sipp/provision.sh} as the READMEs say; the README's
 * command runs; every scenario of sipp/README.md runs over UDP and then over TCP (un-REGISTER
 * last), each on a fresh local port. Last, the server is restarted with the default challenge
 * (SHA-256 first) to show what SIPp 3.6 does with it, the reason for the first setting.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SippExamplesIT {

    static final Path ROOT = Path.of("").toAbsolutePath();
    static final Path README = ROOT.resolve("README.md");
    static final Path SIPP_README = ROOT.resolve("sipp/README.md");
    static final Path USERS = ROOT.resolve("sipp/users.csv");
    static final Duration RUN_LIMIT = Duration.ofSeconds(120);
    /** The scenarios of sipp/ in the order sipp/README.md gives them (un-REGISTER last). */
    static final List<String> SCENARIOS = List.of("register-xpush.xml", "register-rfc8599.xml", "register-fcm.xml",
            "unregister.xml");

    private final Path work = Path.of(System.getProperty("it.work.dir", "target/it")).toAbsolutePath()
            .resolve("sipp-examples-" + ProcessHandle.current().pid());
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private StandaloneServer server;
    /** users.csv: user -> its fields. */
    private Map<String, String[]> users;
    private int runs;

    @BeforeAll
    void startTheServerAsTheReadmesSay() throws IOException {
        Files.createDirectories(work);
        users = readUsers();
        assertEquals(20, users.size(), "sipp/users.csv has the users 101..120");
        Map<String, String> readme = serverSettings(README);
        assertEquals(readme, serverSettings(SIPP_README), "README.md and sipp/README.md start the server alike");
        assertEquals(Map.of("SIPPUSH_AUTH_ALGORITHMS", "MD5,SHA-256"), readme);
        server = StandaloneServer.copyOf("sipp-examples")
                // as shipped: authentication and the per-source rate limit on, domains localhost and 127.0.0.1
                .withoutSetting("SIPPUSH_AUTH_ENABLED")
                .withoutSetting("SIPPUSH_LIMITS_REQUESTS_PER_SECOND")
                .setting("SIPPUSH_SIP_DOMAINS", "localhost,127.0.0.1");
        readme.forEach(server::setting);
        server.start();
        assertFalse(server.linesContaining("algorithms offered: [MD5, SHA-256]").isEmpty(), server.tail());
    }

    @AfterAll
    void stopTheServer() {
        if (server != null) {
            server.close();
        }
    }

    // ------------------------------------------------------------------------------- provisioning

    @Test
    @Order(1)
    void provisionShPutsEveryUserOfUsersCsvThroughTheApi() throws Exception {
        List<String> fromSippReadme = provisionCommand(SIPP_README);
        List<String> fromReadme = provisionCommand(README);
        assertEquals(fromSippReadme, fromReadme, "the same provisioning command in both READMEs");

        Run first = run("provision-1", fromSippReadme);
        assertEquals(0, first.exit(), first.output());
        assertTrue(first.output().contains("provisioned 20 of 20 users of sipp/users.csv at http://127.0.0.1:"
                + server.httpPort() + ": 20 created, 0 changed, 0 refused"), first.output());
        // again: the passwords are set again (204), nothing else changes
        Run again = run("provision-2", fromReadme);
        assertEquals(0, again.exit(), again.output());
        assertTrue(again.output().contains(": 0 created, 20 changed, 0 refused"), again.output());

        // the API now knows every user of users.csv, in the examples' domain
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(api("?domain=127.0.0.1")))
                .header("Authorization", basic("admin:change-me")).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, list.statusCode(), list.body());
        for (String user : users.keySet()) {
            assertTrue(list.body().contains("\"aor\":\"sip:" + user + "@127.0.0.1\""), user + " in " + list.body());
        }
        // and no password went to the output
        for (String[] fields : users.values()) {
            assertFalse(first.output().contains(password(fields)) || again.output().contains(password(fields)));
        }

        // a refusal is reported and makes the script fail: the wrong admin password, a domain not served
        List<String> wrongLogin = new ArrayList<>(fromReadme);
        wrongLogin.set(wrongLogin.indexOf("admin:change-me"), "admin:wrong");
        Run refused = run("provision-wrong-login", wrongLogin);
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("HTTP 401 login refused") && refused.output().contains("20 refused"),
                refused.output());
        List<String> otherDomain = new ArrayList<>(fromReadme);
        otherDomain.addAll(1, List.of("-d", "example.org"));
        Run notServed = run("provision-other-domain", otherDomain);
        assertEquals(1, notServed.exit(), notServed.output());
        assertTrue(notServed.output().contains("101@example.org: HTTP 400 {\"error\":\"domain example.org is not served"),
                notServed.output());
    }

    // -------------------------------------------------------------------------- the README command

    @Test
    @Order(2)
    void theReadmesCommandRegistersEveryUserWithTheirPassword() throws Exception {
        List<String> command = sippCommands(README).stream()
                .filter(c -> c.contains("sipp/register-rfc8599.xml")).findFirst()
                .orElseThrow(() -> new AssertionError("no sipp command in README.md"));
        int localPort = FreePorts.udpAndTcp();
        Run run = runSipp("readme-register-rfc8599", command, localPort, "u1");
        assertScenarioPassed(run, "register-rfc8599.xml", "UDP", localPort);
    }

    // --------------------------------------------------------------- every scenario of sipp/README

    Stream<Arguments> scenarios() throws IOException {
        List<List<String>> commands = sippCommands(SIPP_README);
        List<String> named = commands.stream().map(c -> Path.of(c.get(c.indexOf("-sf") + 1)).getFileName().toString()).toList();
        assertEquals(SCENARIOS, named, "sipp/README.md gives every scenario of sipp/, in this order");
        List<String> inDirectory;
        try (Stream<Path> files = Files.list(ROOT.resolve("sipp"))) {
            inDirectory = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".xml")).sorted().toList();
        }
        assertEquals(SCENARIOS.stream().sorted().toList(), inDirectory, "no scenario of sipp/ is left out");
        List<Arguments> arguments = new ArrayList<>();
        for (String transport : List.of("u1", "t1")) {
            for (int i = 0; i < commands.size(); i++) {
                arguments.add(Arguments.of(named.get(i), transport, commands.get(i)));
            }
        }
        return arguments.stream();
    }

    @ParameterizedTest(name = "{0} -t {1}")
    @MethodSource("scenarios")
    @Order(3)
    void everyScenarioOfSippReadmeRunsAsGiven(String scenario, String transport, List<String> command) throws Exception {
        assertTrue(command.containsAll(List.of("-t", "u1")), "sipp/README.md gives UDP: " + command);
        int localPort = FreePorts.udpAndTcp();
        Run run = runSipp(scenario.replace(".xml", "") + "-" + transport, command, localPort, transport);
        assertScenarioPassed(run, scenario, transport.equals("u1") ? "UDP" : "TCP", localPort);
    }

    // ------------------------------------------------------------- SIPp 3.6 and the default offer

    @Test
    @Order(4)
    void withTheDefaultChallengeSipp36StopsAtTheFirstCall() throws Exception {
        server.stop();
        server.withoutSetting("SIPPUSH_AUTH_ALGORITHMS").start();
        assertFalse(server.linesContaining("algorithms offered: [SHA-256, MD5]").isEmpty(), server.tail());
        List<String> command = sippCommands(SIPP_README).get(0);
        int localPort = FreePorts.udpAndTcp();
        Run run = runSipp("default-challenge", command, localPort, "u1");
        String version = sippVersion();
        if (olderThan373(version)) {
            // SIPp joins both WWW-Authenticate headers, takes the first algorithm= (SHA-256) and gives up
            assertEquals(255, run.exit(), version + ":\n" + run.output());
            assertTrue(run.output().contains("createAuthHeader: authentication must use MD5 or AKAv1-MD5"), run.output());
        } else {
            // SIPp 3.7.3 and later compute SHA-256
            assertScenarioPassed(run, SCENARIOS.get(0), "UDP", localPort);
        }
    }

    // ---------------------------------------------------------------------------------- checking

    private void assertScenarioPassed(Run run, String scenario, String transport, int localPort) throws IOException {
        assertEquals(0, run.exit(), "SIPp's exit code\n" + run.output() + errors(run));
        assertEquals("20", screenValue(run.output(), "Successful call"), run.output());
        assertEquals("0", screenValue(run.output(), "Failed call"), run.output());
        List<String> logged = Files.readAllLines(run.log(), StandardCharsets.ISO_8859_1).stream()
                .filter(line -> !line.isBlank()).toList();
        String address = "127\\.0\\.0\\.1:" + localPort + ";transport=" + transport;
        List<Executable> checks = new ArrayList<>();
        checks.add(() -> assertEquals(users.size(), logged.size(), "one line per user:\n" + String.join("\n", logged)));
        for (Map.Entry<String, String[]> user : users.entrySet()) {
            String u = user.getKey();
            Pattern expected = switch (scenario) {
                case "register-xpush.xml" -> Pattern.compile("^" + u + " registered \\(X-Push, " + transport
                        + "\\) for (\\d+) s \\(sip:" + u + "@" + address + "\\): Contact: .*<sip:" + u + "@" + address
                        + ">;expires=\\1(,.*)?$");
                case "register-rfc8599.xml", "register-fcm.xml" -> Pattern.compile("^" + u + " registered \\(RFC 8599 "
                        + (scenario.equals("register-fcm.xml") ? "fcm" : "apns") + ", " + transport + "\\) for (\\d+) s \\(sip:"
                        + u + "@" + address + ", push token not shown; Feature-Caps \\+sip\\.pns=\""
                        + (scenario.equals("register-fcm.xml") ? "fcm" : "apns") + "\"\\): Contact: .*<sip:" + u + "@" + address
                        + ">;expires=\\1(,.*)?$");
                case "unregister.xml" -> Pattern.compile("^" + u + " unregistered \\(" + transport + "\\): no binding left$");
                default -> throw new AssertionError(scenario);
            };
            checks.add(() -> {
                List<String> mine = logged.stream().filter(line -> expected.matcher(line).matches()).toList();
                assertEquals(1, mine.size(), u + ": " + expected + " in\n" + String.join("\n", logged));
                Matcher m = expected.matcher(mine.get(0));
                assertTrue(m.matches());
                if (m.groupCount() >= 1 && m.group(1) != null) {
                    int expires = Integer.parseInt(m.group(1));
                    assertTrue(expires > 3500 && expires <= 3600, "expires " + expires + ": " + mine.get(0));
                }
                // the push tokens never come back
                for (String token : Arrays.asList(user.getValue()).subList(1, 4)) {
                    assertFalse(mine.get(0).contains(token), "token shown: " + mine.get(0));
                }
                assertFalse(mine.get(0).contains("pn-"), mine.get(0));
            });
        }
        assertAll(scenario + " over " + transport, checks);
    }

    private static String errors(Run run) throws IOException {
        Path file = run.errorFile();
        return file != null && Files.exists(file) ? "\n--- " + file + " ---\n" + Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    }

    /** The cumulative value of one line of SIPp's final statistics screen. */
    private static String screenValue(String output, String counter) {
        Matcher m = Pattern.compile("^\\s*" + Pattern.quote(counter) + "\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)", Pattern.MULTILINE)
                .matcher(output);
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    // ---------------------------------------------------------------------------- the READMEs

    /**
     * The SIPPUSH_* settings a README puts in front of {@code mvn -Prun package} where it explains
     * the SIPp examples (README.md: section "Register a phone"; sipp/README.md: all of it).
     */
    static Map<String, String> serverSettings(Path readme) throws IOException {
        Map<String, String> settings = new LinkedHashMap<>();
        Pattern line = Pattern.compile("^\\s*((?:SIPPUSH_\\w+=\\S+\\s+)+)mvn -Prun package\\b.*$");
        List<String> lines = Files.readAllLines(readme);
        if (readme.equals(README)) {
            int from = lines.indexOf("## Register a phone");
            assertTrue(from >= 0, "README.md has a section \"Register a phone\"");
            int to = from + 1;
            while (to < lines.size() && !lines.get(to).startsWith("## ")) {
                to++;
            }
            lines = lines.subList(from, to);
        }
        for (String text : lines) {
            Matcher m = line.matcher(text);
            if (m.matches()) {
                for (String assignment : m.group(1).trim().split("\\s+")) {
                    String[] kv = assignment.split("=", 2);
                    settings.put(kv[0], kv[1]);
                }
            }
        }
        return settings;
    }

    /** The {@code sipp/provision.sh} command a README gives (without a trailing comment). */
    static List<String> provisionCommand(Path readme) throws IOException {
        List<List<String>> found = commands(readme, "sipp/provision.sh ");
        assertEquals(1, found.size(), "one provisioning command in " + readme + ": " + found);
        return found.get(0);
    }

    /** Every {@code sipp -sf ...} command a README gives, continuation lines joined. */
    static List<List<String>> sippCommands(Path readme) throws IOException {
        List<List<String>> found = commands(readme, "sipp -sf ");
        assertFalse(found.isEmpty(), "no sipp command in " + readme);
        return found;
    }

    private static List<List<String>> commands(Path readme, String start) throws IOException {
        List<String> lines = Files.readAllLines(readme);
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).trim();
            if (!line.startsWith(start)) {
                continue;
            }
            StringBuilder command = new StringBuilder();
            while (line.endsWith("\\")) {
                command.append(line, 0, line.length() - 1).append(' ');
                line = lines.get(++i).trim();
            }
            command.append(line);
            // the placeholders of sipp/README.md are one argument each
            String text = command.toString().replaceAll("\\s+#.*$", "").trim()
                    .replace("<server port>", "<server_port>").replace("<local port>", "<local_port>");
            commands.add(List.of(text.split("\\s+")));
        }
        return commands;
    }

    /** users.csv as SIPp reads it: user -> fields. */
    private static Map<String, String[]> readUsers() throws IOException {
        Map<String, String[]> users = new LinkedHashMap<>();
        for (String line : Files.readAllLines(USERS)) {
            if (line.isBlank() || line.startsWith("#") || line.equals("SEQUENTIAL")) {
                continue;
            }
            String[] fields = line.split(";");
            assertEquals(5, fields.length, line);
            assertTrue(fields[4].matches("\\[authentication username=" + Pattern.quote(fields[0]) + " password=\\w+]"), line);
            users.put(fields[0], fields);
        }
        return users;
    }

    private static String password(String[] fields) {
        return fields[4].replaceAll(".*password=(\\w+)]", "$1");
    }

    // --------------------------------------------------------------------------------- running

    record Run(int exit, String output, Path log, Path errorFile) {
    }

    /** A README command with this test's ports and files, run from the repository root. */
    private Run run(String name, List<String> command) throws Exception {
        Function<String, String> ports = arg -> arg.replace("http://127.0.0.1:8080", "http://127.0.0.1:" + server.httpPort());
        return execute(name, command.stream().map(ports).toList(), null, null);
    }

    private Run runSipp(String name, List<String> command, int localPort, String transport) throws Exception {
        List<String> args = new ArrayList<>();
        Path errorFile = null;
        for (int i = 0; i < command.size(); i++) {
            String arg = command.get(i);
            String previous = i > 0 ? command.get(i - 1) : "";
            if (arg.equals("127.0.0.1:<server_port>") || arg.equals("127.0.0.1:5060")) {
                arg = "127.0.0.1:" + server.sipPort();
            } else if (previous.equals("-p")) {
                assertTrue(arg.equals("<local_port>") || arg.equals("5090"), "local port " + arg);
                arg = Integer.toString(localPort);
            } else if (previous.equals("-t")) {
                arg = transport;
            } else if (previous.equals("-error_file")) {
                assertEquals("/tmp/sipp-errors.log", arg);
                errorFile = work.resolve(name + "-errors.log");
                arg = errorFile.toString();
            }
            args.add(arg);
        }
        if (!args.contains("-t")) {
            assertEquals("u1", transport, "a command without -t runs over UDP");
        }
        Path log = work.resolve(name + "-messages.log");
        args.addAll(List.of("-trace_logs", "-log_file", log.toString()));
        return execute(name, args, log, errorFile);
    }

    private Run execute(String name, List<String> command, Path log, Path errorFile) throws Exception {
        Path output = work.resolve(String.format("%02d-%s.out", ++runs, name));
        Files.writeString(output, String.join(" ", command) + "\n\n");
        Process process = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(output.toFile())).start();
        process.getOutputStream().close();
        try {
            if (!process.waitFor(RUN_LIMIT.toSeconds(), TimeUnit.SECONDS)) {
                fail(name + " did not end within " + RUN_LIMIT + ":\n" + Files.readString(output, StandardCharsets.ISO_8859_1));
            }
        } finally {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        return new Run(process.exitValue(), Files.readString(output, StandardCharsets.ISO_8859_1), log, errorFile);
    }

    private static String sippVersion() throws Exception {
        Process process = new ProcessBuilder("sipp", "-v").redirectErrorStream(true).start();
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        process.waitFor(10, TimeUnit.SECONDS);
        Matcher m = Pattern.compile("SIPp v(\\d+)\\.(\\d+)\\.(\\d+)").matcher(text);
        assertTrue(m.find(), text);
        return m.group(0);
    }

    private static boolean olderThan373(String version) {
        Matcher m = Pattern.compile("v(\\d+)\\.(\\d+)\\.(\\d+)").matcher(version);
        assertTrue(m.find());
        int[] v = {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3))};
        return v[0] < 3 || (v[0] == 3 && (v[1] < 7 || (v[1] == 7 && v[2] < 3)));
    }

    private String api(String rest) {
        return "http://127.0.0.1:" + server.httpPort() + "/sip-push-server/api/subscribers" + rest;
    }

    private static String basic(String userAndPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userAndPassword.getBytes(StandardCharsets.UTF_8));
    }
}
