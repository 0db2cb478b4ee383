package org.sippush.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The files of the distribution that no IT runs as they are: the systemd unit the README shows is
 * the one shipped, and the start script is valid POSIX shell. (DistributionIT runs the script.)
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
    void theStartScriptIsExecutablePosixShell() throws IOException, InterruptedException {
        assertTrue(Files.isExecutable(SCRIPT), SCRIPT + " is executable in the repository");
        Process check = new ProcessBuilder("sh", "-n", SCRIPT.toString()).redirectErrorStream(true).start();
        String said = new String(check.getInputStream().readAllBytes());
        assertTrue(check.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, check.exitValue(), said);
    }
}
