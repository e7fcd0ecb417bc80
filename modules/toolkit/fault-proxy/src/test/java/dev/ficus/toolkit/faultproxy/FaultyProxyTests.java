package dev.ficus.toolkit.faultproxy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Against a real echo server, over real sockets. */
class FaultyProxyTests {

    private ServerSocket echo;
    private FaultyProxy proxy;

    @BeforeEach
    void startEchoServer() throws IOException {
        echo = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!echo.isClosed()) {
                try {
                    Socket client = echo.accept();
                    Thread.ofVirtual().start(() -> {
                        try (client) {
                            client.getInputStream().transferTo(client.getOutputStream());
                        }
                        catch (IOException e) {
                            // client gone
                        }
                    });
                }
                catch (IOException e) {
                    return;
                }
            }
        });
        proxy = new FaultyProxy(echo.getLocalPort(), "listen");
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        echo.close();
    }

    @Test
    void aBlackholeHoldsTrafficWithoutClosingAndHealingDeliversIt() throws IOException {
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "one")).isEqualTo("one");

            proxy.blackhole();
            client.getOutputStream().write("two".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> read(client.getInputStream(), 3)).isInstanceOf(SocketTimeoutException.class);
            assertThat(client.isClosed()).isFalse();

            proxy.heal();
            assertThat(read(client.getInputStream(), 3)).isEqualTo("two");
        }
    }

    @Test
    void onlyTheConnectionsThatSentAWatchedTextCanBeBlackholed() throws IOException {
        try (Socket listener = connect(); Socket other = connect()) {
            assertThat(roundTrip(listener, "LISTEN here")).isEqualTo("LISTEN here");
            assertThat(roundTrip(other, "select 1")).isEqualTo("select 1");

            proxy.blackholeConnectionsThatSent("listen");

            assertThat(roundTrip(other, "still")).isEqualTo("still");
            listener.getOutputStream().write("gone".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> read(listener.getInputStream(), 4)).isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void aCutClosesTheConnection() throws IOException {
        try (Socket client = connect()) {
            assertThat(roundTrip(client, "one")).isEqualTo("one");
            proxy.cut();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxy.port());
        socket.setSoTimeout(500);
        return socket;
    }

    private static String roundTrip(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        return read(socket.getInputStream(), text.length());
    }

    private static String read(InputStream in, int length) throws IOException {
        return new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
