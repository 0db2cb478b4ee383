package org.sippush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files of the distribution that no IT runs as they are: the systemd unit the README shows is
 * the one shipped; the start script is valid POSIX shell, refuses a Java older than 17 and runs the
 * launcher with {@code JAVA_OPTS}, its own arguments and its own folder (checked with a stand-in
 * {@code bin/java}; DistributionIT runs the script with the real one).
 */
class DistributionFilesTest {

    static final Path UNIT = Path.of("src/dist/contrib/sip-push-server.service");
    static final Path SCRIPT = Path.of("src/dist/bin/sip-push-server");

    @Test
    void theReadmeShowsTheShippedSystemdUnitWithoutItsComments() throws IOException {
        List<String> shipped = Files.readAllLines(UNIT).stream()
                .filter(line -> !line.startsWith("#") && !line.isBlank()).toList();
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```ini\n");
        assertTrue(start >= 0, "README shows the unit in an ```ini block");
        int end = readme.indexOf("```", start + 7);
        List<String> shown = readme.substring(start + 7, end).lines().filter(line -> !line.isBlank()).toList();
        assertEquals(shipped, shown);
    }

    @Test
    void systemdFindsNothingWrongInTheUnit(@TempDir Path dir) throws IOException, InterruptedException {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Assumptions.assumeTrue(Files.isExecutable(analyze), "systemd-analyze is not installed");
        // the same unit, starting a program that exists here
        Path unit = dir.resolve("sip-push-server.service");
        Files.writeString(unit, Files.readString(UNIT).replace("ExecStart=/opt/sip-push-server/bin/sip-push-server",
                "ExecStart=/bin/true"));
        Process verify = new ProcessBuilder(analyze.toString(), "verify", "--man=no", unit.toString())
                .redirectErrorStream(true).start();
        String said = new String(verify.getInputStream().readAllBytes());
        assertTrue(verify.waitFor(30, TimeUnit.SECONDS));
        assertEquals("", said.strip(), "systemd-analyze verify");
    }

    @Test
    void theStartScriptIsExecutablePosixShell() throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is executable in the repository");
        Process check = new ProcessBuilder("sh", "-n", SCRIPT.toString()).redirectErrorStream(true).start();
        String said = new String(check.getInputStream().readAllBytes());
        assertTrue(check.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), said);
    }

    @Test
    void theStartScriptRefusesAJavaOlderThan17(@TempDir Path javaHome) throws IOException, InterruptedException {
        fakeJava(javaHome, "openjdk version \"11.0.2\" 2019-01-15", "");

        Result result = runScript(javaHome, null);

        assertEquals(1, result.exit(), result.output());
        assertTrue(result.output().contains("needs Java 17 or later"), result.output());
    }

    @Test
    void theStartScriptSaysSoWhenThereIsNoJava(@TempDir Path nowhere) throws IOException, InterruptedException {
        Result result = runScript(nowhere.resolve("no-such-jdk"), null);

        assertEquals(1, result.exit(), result.output());
        assertTrue(result.output().contains("no Java found"), result.output());
    }

    @Test
    void theStartScriptRunsTheLauncherWithJavaOptsItsArgumentsAndItsFolder(@TempDir Path javaHome)
            throws IOException, InterruptedException {
        fakeJava(javaHome, "openjdk version \"17.0.15\" 2025-04-15", "echo \"$@\"");

        Result result = runScript(javaHome, "-Xmx2g", "-Dsippush.sip.port=45080");

        assertEquals(0, result.exit(), result.output());
        String base = SCRIPT.toAbsolutePath().getParent().getParent().toRealPath().toString();
        String line = result.output().lines().reduce((a, b) -> b).orElse("");
        assertTrue(line.startsWith("-Xmx2g --add-opens java.base/java.lang=ALL-UNNAMED"), line);
        assertTrue(line.endsWith(" -Dsippush.sip.port=45080 -Dcatalina.base=" + base + " -cp " + base + "/lib/*"
                + " org.sippush.launcher.ServerLauncher"), line);
    }

    record Result(int exit, String output) {
    }

    /** A {@code bin/java} that prints {@code version} for {@code -version} and otherwise runs {@code body}. */
    private static void fakeJava(Path javaHome, String version, String body) throws IOException {
        Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\nif [ \"$1\" = -version ]; then echo '" + version + "' >&2; exit 0; fi\n"
                + body + "\n");
        assertTrue(java.toFile().setExecutable(true));
    }

    private static Result runScript(Path javaHome, String javaOpts, String... arguments)
            throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(SCRIPT.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome.toString());
        if (javaOpts == null) {
            builder.environment().remove("JAVA_OPTS");
        } else {
            builder.environment().put("JAVA_OPTS", javaOpts);
        }
        Process script = builder.start();
        String output = new String(script.getInputStream().readAllBytes());
        assertTrue(script.waitFor(10, TimeUnit.SECONDS));
        return new Result(script.exitValue(), output);
    }
}
