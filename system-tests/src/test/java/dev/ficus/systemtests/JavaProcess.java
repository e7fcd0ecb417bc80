package dev.ficus.systemtests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An application started from its executable jar in a JVM of its own, as in production: it can
 * be stopped gracefully, or killed with SIGKILL. Its output goes to {@code target/<name>.log}.
 */
final class JavaProcess {

    private final String name;
    private final Path jar;
    private final List<String> arguments;
    private Process process;

    JavaProcess(String name, Path jar, List<String> arguments) {
        this.name = name;
        this.jar = jar;
        this.arguments = List.copyOf(arguments);
    }

    /** The executable jar a module of this build packaged, e.g. {@code app/target/ficus-app-exec.jar}. */
    static Path executableJar(String module, String artifact) {
        Path jar = Path.of("..").resolve(module).resolve("target").resolve(artifact + "-exec.jar").normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the build from the project root");
        }
        return jar;
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a command printed, and how it exited. */
    record Finished(int exitCode, String output) {
    }

    /** Runs the jar as a command to its end. */
    Finished runToEnd() throws IOException, InterruptedException {
        start();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new IllegalStateException(name + " did not finish");
        }
        return new Finished(process.exitValue(), Files.readString(Path.of("target", name + ".log")));
    }

    JavaProcess start() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-Xmx512m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-jar");
        command.add(jar.toString());
        command.addAll(arguments);
        try {
            Path log = Path.of("target", name + ".log");
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or saved. Returns the exit code. */
    int kill() throws InterruptedException {
        process.destroyForcibly();
        return waitForExit();
    }

    /** SIGSTOP: the process freezes, its sockets stay open (a stalled VM, a long pause). */
    void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT: a frozen process carries on where it stopped. */
    void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    /** SIGQUIT: the JVM writes every thread's stack to its log and carries on. */
    void dumpThreads() throws IOException, InterruptedException {
        if (alive()) {
            signal("QUIT");
        }
    }

    private void signal(String signal) throws IOException, InterruptedException {
        // Its output goes to the process's log: nothing a test starts may write to the test JVM's streams.
        int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(Path.of("target", name + ".log").toFile()))
                .start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + signal + " " + process.pid() + " exited with " + exit);
        }
    }

    /** SIGTERM, without waiting for the process to end. */
    void terminate() {
        process.destroy();
    }

    /** Waits for the process to end; its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    /** SIGTERM: a graceful shutdown. */
    void stop() throws InterruptedException {
        if (alive()) {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private int waitForExit() throws InterruptedException {
        if (!process.waitFor(Duration.ofSeconds(30).toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not exit");
        }
        return process.exitValue();
    }

    @Override
    public String toString() {
        return name;
    }
}
