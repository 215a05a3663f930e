package org.dcpserve.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service as a JVM of its own on this JVM's class path, on a free port, for what only a real process shows:
 * JVM options (a small direct-memory limit), signals (SIGTERM, SIGKILL), where its files go. Its output is kept
 * for assertions and failure messages.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Pattern PORT = Pattern.compile("Tomcat started on port (\\d+)");

    private final Process process;
    private final StringBuffer log = new StringBuffer();
    private final int port;
    private final Thread reader;

    private ServiceProcess(Process process, int port, BufferedReader out) {
        this.process = process;
        this.port = port;
        // Keep draining its output so the service never blocks on a full pipe.
        reader = Thread.ofPlatform().daemon().name("service-output").start(() -> {
            try {
                out.lines().forEach(line -> log.append(line).append('\n'));
            } catch (UncheckedIOException e) {
                // The process was killed while its output was read.
            }
        });
    }

    /**
     * Starts the service and returns once it has started.
     *
     * @param jvmOptions options of the service's JVM, before the class path
     * @param args       the service's arguments (--key=value); a free port is chosen
     */
    static ServiceProcess start(List<String> jvmOptions, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // C1 only: a JVM that runs for seconds never earns back C2's compile time (about half the CPU a start takes).
        command.add("-XX:TieredStopAtLevel=1");
        command.add("--enable-native-access=ALL-UNNAMED");
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DcpServerApplication.class.getName(),
                "--server.port=0"));
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder started = new StringBuilder();
        int port = -1;
        for (String line = out.readLine(); line != null; line = out.readLine()) {
            started.append(line).append('\n');
            Matcher m = PORT.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            }
            if (line.contains("Started DcpServerApplication")) {
                ServiceProcess service = new ServiceProcess(process, port, out);
                service.log.append(started);
                return service;
            }
        }
        throw new AssertionError("the service did not start:\n" + started);
    }

    int port() {
        return port;
    }

    /** Everything the service printed so far. */
    String log() {
        return log.toString();
    }

    /**
     * SIGTERM: a normal stop, shutdown hooks and graceful shutdown run. Through the process handle, because
     * {@link Process#destroy} also closes the pipes, and what the service prints while it stops would be lost.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL: no shutdown hooks. */
    void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the process to exit, and for {@link #log} to have all it printed; false if it still runs. */
    boolean awaitExit(Duration timeout) throws InterruptedException {
        boolean exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (exited) {
            reader.join(Duration.ofSeconds(10));
        }
        return exited;
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
