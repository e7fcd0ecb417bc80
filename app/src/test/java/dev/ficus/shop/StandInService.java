package dev.ficus.shop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import com.sun.net.httpserver.HttpServer;

/**
 * A plain HTTP server standing in for catalog-service: it answers every request under its path as
 * told, and keeps the headers of each request it received, to be looked at by a test.
 */
final class StandInService {

    /** An answer: its status and its JSON body (a problem for a status of 400 or more). */
    record Answer(int status, String json) {
    }

    final List<Map<String, List<String>>> received = new CopyOnWriteArrayList<>();
    private final HttpServer server;

    StandInService(String path, Function<String, Answer> answers) {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(path, exchange -> {
            received.add(Map.copyOf(exchange.getRequestHeaders()));
            Answer answer = answers.apply(exchange.getRequestURI().getPath());
            byte[] body = answer.json().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type",
                    answer.status() < 400 ? "application/json" : "application/problem+json");
            exchange.sendResponseHeaders(answer.status(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void stop() {
        server.stop(0);
    }
}
