package dev.ficus.toolkit.faultproxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A TCP proxy in front of a server that can fail the way networks do: it can blackhole traffic
 * (bytes are neither delivered nor refused, no FIN, no RST: the peers see silence), for every
 * connection or only for those that ever sent one of the texts it watches for (say, a
 * {@code LISTEN}), and it can cut connections (both sides closed at once).
 *
 * <p>Put it between an application and its database (point the application's JDBC URL at
 * {@link #port()}) to see what the application does when the network fails: a socket that goes
 * silent without a FIN is what TCP keepalive takes hours to notice.
 */
public final class FaultyProxy implements AutoCloseable {

    private enum Mode { PASS, BLACKHOLE_ALL, BLACKHOLE_MARKED }

    private final int target;
    private final List<String> watched;
    private final ServerSocket server;
    private final Set<Link> links = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile Mode mode = Mode.PASS;
    private volatile String mark;

    /**
     * Starts listening on a free port of the loopback address.
     *
     * @param target  the port on the loopback address to forward to
     * @param watched texts to notice in what clients send, case ignored
     */
    public FaultyProxy(int target, String... watched) {
        this.target = target;
        this.watched = Stream.of(watched).map(text -> text.toLowerCase(Locale.ROOT)).toList();
        try {
            this.server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon("proxy-accept-" + port(), this::accept);
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Silence on every connection, present and future, until {@link #heal}. */
    public void blackhole() {
        setMode(Mode.BLACKHOLE_ALL, null);
    }

    /** Silence on the connections whose client ever sent {@code text}, one of the watched ones, until {@link #heal}. */
    public void blackholeConnectionsThatSent(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        if (!watched.contains(lower)) {
            throw new IllegalArgumentException(text + " is not watched for");
        }
        setMode(Mode.BLACKHOLE_MARKED, lower);
    }

    /** Traffic flows again; what was held back is delivered. */
    public void heal() {
        setMode(Mode.PASS, null);
    }

    /** Closes every connection, as a reset would. */
    public void cut() {
        links.forEach(Link::close);
    }

    @Override
    public void close() {
        heal();
        try {
            server.close();
        }
        catch (IOException e) {
            // closing anyway
        }
        cut();
    }

    private void setMode(Mode newMode, String text) {
        synchronized (gate) {
            mark = text;
            mode = newMode;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Link link = new Link(client);
                links.add(link);
                daemon("proxy-link-" + port(), link::open);
            }
            catch (IOException e) {
                return;
            }
        }
    }

    /** One client connection and its connection to the server. */
    private final class Link {

        private final Socket client;
        private volatile Socket upstream;
        private final Set<String> seen = ConcurrentHashMap.newKeySet();
        private final StringBuilder sent = new StringBuilder();

        Link(Socket client) {
            this.client = client;
        }

        void open() {
            try {
                awaitPassable();
                upstream = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                upstream.setTcpNoDelay(true);
                daemon("proxy-pump-" + port(), () -> pump(client, upstream, true));
                pump(upstream, client, false);
            }
            catch (IOException | InterruptedException e) {
                close();
            }
        }

        private void pump(Socket from, Socket to, boolean fromClient) {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (fromClient && seen.size() < watched.size()) {
                        remember(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                    }
                    awaitPassable();
                    out.write(buffer, 0, read);
                    out.flush();
                }
                // The end of the stream is news too: a blackholed connection does not pass it on.
                awaitPassable();
            }
            catch (IOException | InterruptedException e) {
                // one side went away
            }
            finally {
                close();
            }
        }

        /** Notes the watched texts the client sent, keeping a tail to find them across reads. */
        private synchronized void remember(String text) {
            sent.append(text.toLowerCase(Locale.ROOT));
            for (String candidate : watched) {
                if (sent.indexOf(candidate) >= 0) {
                    seen.add(candidate);
                }
            }
            if (sent.length() > 512) {
                sent.delete(0, sent.length() - 256);
            }
        }

        private void awaitPassable() throws InterruptedException {
            synchronized (gate) {
                while (mode == Mode.BLACKHOLE_ALL || (mode == Mode.BLACKHOLE_MARKED && seen.contains(mark))) {
                    gate.wait();
                }
            }
        }

        void close() {
            links.remove(this);
            for (Socket socket : new Socket[] {client, upstream}) {
                if (socket != null) {
                    try {
                        socket.close();
                    }
                    catch (IOException e) {
                        // closing anyway
                    }
                }
            }
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }
}
