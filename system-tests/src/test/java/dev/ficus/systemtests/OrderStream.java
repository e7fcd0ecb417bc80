package dev.ficus.systemtests;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream of orders placed over HTTP by a few clients at once, each with an Idempotency-Key, by
 * random demo customers (each logged in, ordering for themselves) for random SKUs (some sold out),
 * until stopped. An order counts as placed only when the shop answered 201; while the shop is down,
 * its clients wait and try again.
 */
final class OrderStream implements AutoCloseable {

    final Set<UUID> placed = ConcurrentHashMap.newKeySet();
    final AtomicInteger refused = new AtomicInteger();
    private final Http shop;
    private final List<Login> customers;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final ExecutorService clients;

    OrderStream(Http shop, List<Login> customers, int clients) {
        this.shop = shop;
        this.customers = List.copyOf(customers);
        this.clients = Executors.newFixedThreadPool(clients);
        for (int i = 0; i < clients; i++) {
            this.clients.submit(this::placeUntilStopped);
        }
    }

    private void placeUntilStopped() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        while (running.get()) {
            Login customer = customers.get(random.nextInt(customers.size()));
            String key = UUID.randomUUID().toString();
            try {
                String body = """
                        {"customerId": "%s", "lines": [{"sku": "SKU-%04d", "quantity": %d}, {"sku": "SKU-%04d", "quantity": 1}]}"""
                        .formatted(customer.customerId(), 1 + random.nextInt(300), 1 + random.nextInt(3),
                                1 + random.nextInt(300));
                Http.Response response = customer.on(shop).post("/api/orders", body, "Idempotency-Key", key);
                if (response.status() == 201) {
                    placed.add(UUID.fromString(response.json().get("id").asString()));
                }
                else {
                    refused.incrementAndGet();
                }
                Thread.sleep(20);
            }
            catch (UncheckedIOException e) {
                pause();
            }
            catch (InterruptedException e) {
                return;
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(200);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int size() {
        return placed.size();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        clients.shutdown();
        if (!clients.awaitTermination(90, TimeUnit.SECONDS)) {
            clients.shutdownNow();
        }
    }
}
