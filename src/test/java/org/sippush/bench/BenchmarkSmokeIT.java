package org.sippush.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.sippush.infrastructure.push.apns.ApnsThroughputBenchmark;

/**
 * The benchmark suite (issue 5) at a low rate for a few seconds per scenario, so it cannot rot:
 * the SIPp scenarios against our standalone server and Kamailio, both authenticating
 * ({@code bench/run --smoke}),
 * wake-ups, held calls and push throughput. It checks that every scenario runs end to end and
 * that nothing fails; the figures of a smoke run mean nothing (the full run: {@code bench/run}
 * and the drivers' {@code main}).
 */
class BenchmarkSmokeIT {

    private static final Path ROOT = Path.of("").toAbsolutePath();

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void registerAndCallScenariosRunAgainstOurServerAndKamailio() throws Exception {
        Path out = ROOT.resolve("target/bench/smoke");
        Path log = ROOT.resolve("target/bench/smoke-run.log");
        Files.createDirectories(log.getParent());
        ProcessBuilder builder = new ProcessBuilder(ROOT.resolve("bench/run").toString(), "--smoke")
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("BENCH_OUT", out.toString());
        builder.environment().put("BENCH_INSTALL", "0");
        builder.environment().put("BENCH_REBUILD", "0");
        Process run = builder.start();
        try {
            assertTrue(run.waitFor(9, TimeUnit.MINUTES), "bench/run --smoke did not finish in 9 minutes");
        } finally {
            run.descendants().forEach(ProcessHandle::destroy);
            run.destroy();
        }
        String output = Files.readString(log);
        assertEquals(0, run.exitValue(), "bench/run --smoke failed:\n" + tail(output));

        // both servers challenged every REGISTER and call (each SIPp call checks that it was
        // challenged: -key auth_mode challenged), our server got its subscribers through the API
        assertTrue(Files.readString(out.resolve("results.md")).contains("Digest authentication: on for both servers"),
                "bench/run authenticates by default:\n" + Files.readString(out.resolve("results.md")));
        assertTrue(output.matches("(?s).*provisioned (\\d+) of \\1 users of .* 0 refused.*"), "subscribers provisioned:\n" + tail(output));
        List<String> rows = Files.readAllLines(out.resolve("results.md")).stream()
                .filter(line -> line.startsWith("| register |") || line.startsWith("| calls |"))
                .toList();
        for (String unit : List.of("| register | ours | h2 |", "| calls | ours | h2 |",
                "| register | kamailio | postgres |", "| calls | kamailio | postgres |",
                "| register | kamailio | memory |", "| calls | kamailio | memory |")) {
            String row = rows.stream().filter(r -> r.startsWith(unit)).findFirst()
                    .orElseThrow(() -> new AssertionError("no row " + unit + " in results.md:\n" + String.join("\n", rows)));
            assertTrue(row.contains("✓") && !row.contains("✗"), "step failed: " + row);
        }
        assertTrue(Files.list(out.resolve("raw")).findAny().isPresent(), "raw SIPp files kept");
        assertTrue(Files.exists(out.resolve("steps.csv")));
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    void wakeUpsCompleteThroughTheStandaloneServer() throws Exception {
        WakeUpBenchmark.Result result = WakeUpBenchmark.run(20, 10, 0);
        assertTrue(result.finished(), result.toString());
        assertEquals(20, result.completed(), result.toString());
        assertEquals(0, result.failed(), result.toString());
        assertTrue(result.wakeSamples() >= 20, "the server timed every woken REGISTER: " + result);
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void heldCallsAreAllHeldThenAllReleased() throws Exception {
        HeldCallsBenchmark.Result result = HeldCallsBenchmark.run(100, 10, false);  // no heap baseline: saves the ~35 s of waiting for Timer J
        assertEquals(100, result.heldAtOnce(), result.toString());
        assertEquals(100, result.answered480(), result.toString());
        assertEquals(0, result.unanswered(), result.toString());
        assertEquals(0, result.heldLeft(), result.toString());
        assertTrue(!Double.isNaN(result.bytesPerHeld()), "a heap figure is printed: " + result);
    }

    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void pushesGoThroughTheGatewayAndThroughPushyAloneToTheMockApnsServer() throws Exception {
        ApnsThroughputBenchmark.Summary summary = ApnsThroughputBenchmark.run(4_000, 2_000);
        assertEquals(0, summary.gatewayErrors(), summary.toString());
        assertEquals(0, summary.pushyErrors(), summary.toString());
        assertTrue(summary.gatewayPerSecond() > 0 && summary.pushyPerSecond() > 0, summary.toString());
    }

    private static String tail(String text) {
        return text.length() <= 4_000 ? text : text.substring(text.length() - 4_000);
    }
}
