package dev.ficus.benchmarks;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.ConnectionFactory;
import tools.jackson.databind.json.JsonMapper;

import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresProperties;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

/**
 * Events between the shop and inventory-service, both running as processes from their jars, on the
 * machine's RabbitMQ (an exchange of the run's own): the outbox relay's throughput and its lag from
 * an event's commit to the broker's confirm, and the time from an order's placing to its decision,
 * in process and through inventory-service. Orders are placed by the demo customers, each with a
 * token from the shop's token endpoint, logged in before the orders are timed.
 */
final class EventsBenchmark {

    private static final Duration TICK = Duration.ofMillis(10);
    private static final int PARTITIONS = Integer.getInteger("partitions", 4);
    private static final String FLAGS = """
            {"version": 2, "features": [{"name": "inventory-reservations.extracted", "type": "release",
              "enabled": true, "stale": false, "impressionData": false, "variants": [],
              "strategies": [{"name": "flexibleRollout", "constraints": [],
                "parameters": {"rollout": "100", "stickiness": "userId", "groupId": "inventory-reservations.extracted"}}]}],
             "query": {}}""";

    private final Duration step;
    private final List<Integer> relayRates;
    /** 20 orders/s shows the path itself, with the machine's cores to spare; 100 and 500 are the targets' rates. */
    private final List<Integer> orderRates = List.of(20, 100, 500);
    private final String exchange = "bench-" + UUID.randomUUID().toString().substring(0, 8);

    /** A demo customer, logged in: orders are placed for them, with their token. */
    private record Customer(String id, String token) {
    }

    EventsBenchmark(boolean quick) {
        this.step = Duration.ofSeconds(quick ? 10 : 20);
        this.relayRates = quick ? List.of(1_000, 5_000) : List.of(1_000, 2_500, 5_000, 10_000);
    }

    Report run() throws Exception {
        Report report = new Report("events benchmark");
        EmbeddedPostgresServer database = EmbeddedPostgresServer.obtain(
                new EmbeddedPostgresProperties(true, "", 0, "shop", Duration.ofSeconds(60), Map.of()));
        Path target = Path.of("benchmarks", "target");
        Files.createDirectories(target);
        int shopPort = BenchmarkApplications.freePort();
        String base = "http://127.0.0.1:" + shopPort;
        // Orders are limited as configured (8 at once, more wait briefly, then 503) but not per client: the
        // benchmark's 25 customers order far more often than people would.
        List<String> shopSettings = List.of("--ficus.demo-data.external-database=true",
                "--ficus.limits.classes.orders.requests-per-period=1000000",
                "--ficus.messaging.exchange=" + exchange, "--ficus.messaging.consumers.expires=10m",
                "--ficus.messaging.partitions=" + PARTITIONS);
        Process shop = null;
        Process service = null;
        try (Connection sql = DriverManager.getConnection(database.jdbcUrl(), database.username(), "")) {
            shop = startShop(shopPort, database, shopSettings, target.resolve("flags-in-process-backup.json"), null);
            plentyOfStock(sql);
            List<Customer> customers = customers(sql, base);
            placeOrders(base, customers, 100, Duration.ofSeconds(5));
            Map<Integer, Map<String, Object>> inProcess = new LinkedHashMap<>();
            for (int rate : orderRates) {
                Map<String, Object> figures = decided(sql, placeOrders(base, customers, rate, step));
                inProcess.put(rate, figures);
                report.row("order placed → decided, in process, " + rate + " orders/s", figures);
            }

            PrometheusScrape metrics = new PrometheusScrape(shopPort, "bench", "bench");
            String sink = sink();
            relay(sql, metrics, 1_000);
            Map<String, Object> atThousand = null;
            int sustained = 0;
            for (int rate : relayRates) {
                Map<String, Object> figures = relay(sql, metrics, rate);
                report.row("outbox relay at " + rate + " events/s", figures);
                if (rate == 1_000) {
                    atThousand = figures;
                }
                if (!(boolean) figures.get("sustained")) {
                    break;
                }
                sustained = rate;
            }
            deleteQueue(sink);

            // The service first, so that its queues are there when the shop hands the stock over.
            shop.destroy();
            shop.waitFor(60, TimeUnit.SECONDS);
            int servicePort = BenchmarkApplications.freePort();
            int serviceDatabasePort = BenchmarkApplications.freePort();
            service = startInventoryService(servicePort, serviceDatabasePort, database.jdbcUrl(), base);
            BenchmarkApplications.awaitReady("http://127.0.0.1:" + servicePort, service);
            Path flags = target.resolve("flags-extracted.json");
            Files.writeString(flags, FLAGS);
            shop = startShop(shopPort, database, shopSettings, target.resolve("flags-extracted-backup.json"), flags);
            awaitWritesMoved(servicePort);
            // Tokens live 15 minutes: fresh ones for the second half of the run.
            customers = customers(sql, base);
            placeOrders(base, customers, 100, Duration.ofSeconds(5));
            Connection serviceSql = DriverManager.getConnection(
                    "jdbc:postgresql://127.0.0.1:" + serviceDatabasePort + "/inventory_service", "postgres", "");
            for (int rate : orderRates) {
                Set<UUID> placed = placeOrders(base, customers, rate, step);
                Map<String, Object> figures = decided(sql, placed);
                figures.putAll(legs(sql, serviceSql, placed));
                report.row("order placed → decided, through inventory-service, " + rate + " orders/s", figures);
                if (rate == 20) {
                    continue;
                }
                double ratio = (double) figures.get("p99 ms") / (double) inProcess.get(rate).get("p99 ms");
                report.target("order → decided p99 through the service at " + rate + " orders/s", "<= 3x in process",
                        "%.1fx (%s ms vs %s ms)".formatted(ratio, figures.get("p99 ms"), inProcess.get(rate).get("p99 ms")),
                        ratio <= 3);
            }
            double p99 = (double) atThousand.get("lag p99 ms");
            report.target("relay lag p99 at 1,000 events/s", "<= 50 ms", p99 + " ms", p99 <= 50);
            report.target("relay throughput sustained", ">= 1,000 events/s", sustained + " events/s", sustained >= 1_000);
        }
        finally {
            for (Process process : new Process[] {service, shop}) {
                if (process != null) {
                    process.destroy();
                    process.waitFor(60, TimeUnit.SECONDS);
                }
            }
            database.close();
        }
        return report;
    }

    private static Process startShop(int port, EmbeddedPostgresServer database, List<String> settings, Path backup,
            Path flags) throws IOException, InterruptedException {
        Files.deleteIfExists(backup);
        List<String> all = new ArrayList<>(settings);
        all.add("--ficus.routing.flags.backup-file=" + backup.toAbsolutePath());
        if (flags != null) {
            all.add("--ficus.routing.flags.bootstrap=file:" + flags.toAbsolutePath());
        }
        Process shop = BenchmarkApplications.startShopProcess("events-shop", port, database.jdbcUrl(),
                all.toArray(String[]::new));
        BenchmarkApplications.awaitReady("http://127.0.0.1:" + port, shop);
        return shop;
    }

    private Process startInventoryService(int port, int databasePort, String shopJdbcUrl, String shopBase)
            throws IOException {
        Path jar = Path.of("extracted-services/inventory-service/target/ficus-inventory-service-exec.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run `mvn -q -DskipTests package` in the project root");
        }
        return new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar", jar.toString(),
                "--server.port=" + port,
                "--ficus.embedded-postgres.data-directory=", "--ficus.embedded-postgres.port=" + databasePort,
                "--ficus.replication.source.url=" + shopJdbcUrl,
                BenchmarkApplications.tokensIssuedBy(shopBase),
                "--ficus.messaging.exchange=" + exchange, "--ficus.messaging.consumers.expires=10m",
                "--ficus.messaging.partitions=" + PARTITIONS,
                "--spring.security.user.name=bench", "--spring.security.user.password=bench",
                "--logging.level.root=warn")
                .redirectErrorStream(true).redirectOutput(Path.of("benchmarks", "target", "inventory-service.log").toFile())
                .start();
    }

    /** The handover: the shop routes every new order to the service, and the service owns the stock. */
    private static void awaitWritesMoved(int port) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest status = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/replication"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString("bench:bench".getBytes(StandardCharsets.UTF_8)))
                .build();
        for (int attempt = 0; attempt < 600; attempt++) {
            String body = http.send(status, HttpResponse.BodyHandlers.ofString()).body();
            if (body.contains("\"phase\":\"WRITES_MOVED\"")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("inventory-service did not take the stock over; see benchmarks/target");
    }

    /** So that every order of the run is confirmed, not rejected for want of stock. */
    private static void plentyOfStock(Connection sql) throws SQLException {
        sql.createStatement().executeUpdate("update inventory.stock set on_hand = on_hand + 10000000");
    }

    /** Every demo customer, logged in with their email and the demo password. */
    private static List<Customer> customers(Connection sql, String base) throws Exception {
        List<Customer> customers = new ArrayList<>();
        try (ResultSet rows = sql.createStatement().executeQuery("select id::text, email from customers.customers")) {
            while (rows.next()) {
                customers.add(new Customer(rows.getString(1), BenchmarkApplications.login(base, rows.getString(2))));
            }
        }
        return customers;
    }

    /** Answers other than 201 of the last run of orders, by status. */
    private static final Map<Integer, java.util.concurrent.atomic.AtomicInteger> refused = new ConcurrentHashMap<>();

    /**
     * Orders at a steady rate for a while, each from a thread of its own, each by a random customer
     * for themselves; the ids of those placed (201).
     */
    private static Set<UUID> placeOrders(String base, List<Customer> customers, int rate, Duration duration)
            throws InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        Set<UUID> placed = ConcurrentHashMap.newKeySet();
        refused.clear();
        JsonMapper json = JsonMapper.builder().build();
        long interval = 1_000_000_000L / rate;
        long start = System.nanoTime();
        long count = duration.toNanos() / interval;
        try (ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; i < count; i++) {
                LockSupport.parkNanos(start + i * interval - System.nanoTime());
                clients.submit(() -> {
                    ThreadLocalRandom random = ThreadLocalRandom.current();
                    Customer customer = customers.get(random.nextInt(customers.size()));
                    String body = """
                            {"customerId": "%s", "lines": [{"sku": "SKU-%04d", "quantity": %d}]}"""
                            .formatted(customer.id(), 1 + random.nextInt(300), 1 + random.nextInt(3));
                    HttpRequest order = HttpRequest.newBuilder(URI.create(base + "/api/orders"))
                            .header("Content-Type", "application/json")
                            .header("Authorization", "Bearer " + customer.token())
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                    HttpResponse<String> answer = http.send(order, HttpResponse.BodyHandlers.ofString());
                    if (answer.statusCode() == 201) {
                        placed.add(UUID.fromString(json.readTree(answer.body()).get("id").asString()));
                    }
                    else {
                        refused.computeIfAbsent(answer.statusCode(), status -> new java.util.concurrent.atomic.AtomicInteger())
                                .incrementAndGet();
                    }
                    return null;
                });
            }
        }
        return placed;
    }

    /**
     * Waits until every order is decided, then reads placed → decided from the orders themselves
     * (both instants are the shop's, in microseconds).
     */
    private static Map<String, Object> decided(Connection sql, Set<UUID> orders) throws Exception {
        UUID[] ids = orders.toArray(UUID[]::new);
        for (int attempt = 0; attempt < 1200 && pending(sql, ids) > 0; attempt++) {
            Thread.sleep(100);
        }
        List<Double> millis = new ArrayList<>();
        long confirmed = 0;
        try (PreparedStatement query = sql.prepareStatement("""
                select extract(epoch from (updated_at - placed_at)) * 1000, status from orders.orders
                where id = any(?) and status <> 'PENDING'""")) {
            query.setArray(1, sql.createArrayOf("uuid", ids));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    millis.add(rows.getDouble(1));
                    confirmed += "CONFIRMED".equals(rows.getString(2)) ? 1 : 0;
                }
            }
        }
        millis.sort(null);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("orders", orders.size());
        figures.put("refused", refused.isEmpty() ? "0" : new java.util.TreeMap<>(refused).toString().replace(", ", " "));
        figures.put("confirmed", confirmed);
        figures.put("still pending", orders.size() - millis.size());
        figures.put("p50 ms", percentile(millis, 0.50));
        figures.put("p99 ms", percentile(millis, 0.99));
        return figures;
    }

    /**
     * Where the time goes, p50 per leg, from the timestamps both databases keep: placed → taken by
     * the service (its inbox), its answer written (its outbox) → taken by the shop (the shop's
     * inbox) → the order decided.
     */
    private static Map<String, Object> legs(Connection shop, Connection service, Set<UUID> orders) throws SQLException {
        Map<String, Double> placedAt = new HashMap<>();
        Map<String, Double> decidedAt = new HashMap<>();
        try (PreparedStatement query = shop.prepareStatement("select id::text, extract(epoch from placed_at) * 1000, "
                + "extract(epoch from updated_at) * 1000 from orders.orders where id = any(?)")) {
            query.setArray(1, shop.createArrayOf("uuid", orders.toArray(UUID[]::new)));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    placedAt.put(rows.getString(1), rows.getDouble(2));
                    decidedAt.put(rows.getString(1), rows.getDouble(3));
                }
            }
        }
        Map<String, String> orderOfEvent = pairs(shop,
                "select id::text, partition_key from messaging.outbox where type = 'OrderPlaced'");
        Map<String, String> takenByService = pairs(service, "select message_id::text, "
                + "(extract(epoch from received_at) * 1000)::text from messaging.inbox where consumer = 'inventory-service'");
        Map<String, String> orderOfAnswer = pairs(service, "select id::text, partition_key from messaging.outbox");
        Map<String, String> answeredAt = pairs(service,
                "select id::text, (extract(epoch from created_at) * 1000)::text from messaging.outbox");
        Map<String, String> takenByShop = pairs(shop, "select message_id::text, (extract(epoch from received_at) * 1000)::text "
                + "from messaging.inbox where consumer = 'shop-inventory-answers'");
        List<Double> toService = new ArrayList<>();
        List<Double> back = new ArrayList<>();
        List<Double> toDecided = new ArrayList<>();
        orderOfEvent.forEach((event, order) -> {
            if (placedAt.containsKey(order) && takenByService.containsKey(event)) {
                toService.add(Double.parseDouble(takenByService.get(event)) - placedAt.get(order));
            }
        });
        orderOfAnswer.forEach((answer, order) -> {
            if (placedAt.containsKey(order) && takenByShop.containsKey(answer)) {
                double taken = Double.parseDouble(takenByShop.get(answer));
                back.add(taken - Double.parseDouble(answeredAt.get(answer)));
                toDecided.add(decidedAt.get(order) - taken);
            }
        });
        for (List<Double> leg : List.of(toService, back, toDecided)) {
            leg.sort(null);
        }
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("placed → service p50 ms", percentile(toService, 0.5));
        figures.put("answer → shop p50 ms", percentile(back, 0.5));
        figures.put("shop → decided p50 ms", percentile(toDecided, 0.5));
        return figures;
    }

    private static Map<String, String> pairs(Connection sql, String query) throws SQLException {
        Map<String, String> pairs = new HashMap<>();
        try (ResultSet rows = sql.createStatement().executeQuery(query)) {
            while (rows.next()) {
                pairs.put(rows.getString(1), rows.getString(2));
            }
        }
        return pairs;
    }

    private static long pending(Connection sql, UUID[] ids) throws SQLException {
        try (PreparedStatement query = sql.prepareStatement(
                "select count(*) from orders.orders where id = any(?) and status = 'PENDING'")) {
            query.setArray(1, sql.createArrayOf("uuid", ids));
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static double percentile(List<Double> sorted, double quantile) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        double value = sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(quantile * sorted.size()) - 1));
        return Math.round(value * 10) / 10.0;
    }

    /**
     * Events written straight into the outbox at a steady rate (every 10 ms a transaction of
     * rate/100 rows), for one step; the relay's own histogram ({@code ficus.messaging.relay.lag},
     * commit to the broker's confirm) gives the lag, its counter the events published.
     */
    private Map<String, Object> relay(Connection sql, PrometheusScrape metrics, int rate) throws Exception {
        int perTick = Math.max(1, rate / 100);
        Map<Double, Double> before = metrics.buckets("ficus_messaging_relay_lag_seconds");
        double publishedBefore = metrics.sum("ficus_messaging_relay_published_total");
        long written = 0;
        long ticks = step.toNanos() / TICK.toNanos();
        long start = System.nanoTime();
        try (PreparedStatement insert = sql.prepareStatement("""
                insert into messaging.outbox (id, type, version, partition_key, payload, headers)
                values (?, 'BenchEvent', 1, ?, cast(? as jsonb), cast('{}' as jsonb))""")) {
            for (long tick = 0; tick < ticks; tick++) {
                LockSupport.parkNanos(start + tick * TICK.toNanos() - System.nanoTime());
                for (int i = 0; i < perTick; i++) {
                    UUID id = UUID.randomUUID();
                    insert.setObject(1, id);
                    insert.setString(2, id.toString());
                    insert.setString(3, "{\"n\": " + written + "}");
                    insert.addBatch();
                    written++;
                }
                insert.executeBatch();
            }
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        // What was written in the step must be out within two seconds of its end.
        double published = 0;
        for (int wait = 0; wait < 20; wait++) {
            published = metrics.sum("ficus_messaging_relay_published_total") - publishedBefore;
            if (published >= written) {
                break;
            }
            Thread.sleep(100);
        }
        Map<Double, Double> after = metrics.buckets("ficus_messaging_relay_lag_seconds");
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("events/s written", Math.round(written / elapsed));
        figures.put("events published", (long) published);
        figures.put("lag p50 ms", PrometheusScrape.percentileMillis(before, after, 0.50));
        figures.put("lag p99 ms", PrometheusScrape.percentileMillis(before, after, 0.99));
        figures.put("sustained", published >= written);
        return figures;
    }

    /**
     * A quorum queue bound to the benchmark's events (on the exchange the shop declared), as a
     * consumer's would be: the broker stores the events before it confirms them.
     */
    private String sink() throws Exception {
        String queue = exchange + ".sink";
        try (com.rabbitmq.client.Connection connection = broker().newConnection();
                Channel channel = connection.createChannel()) {
            channel.queueDeclare(queue, true, false, false, Map.of("x-queue-type", "quorum", "x-max-length", 200_000,
                    "x-overflow", "drop-head", "x-expires", 600_000));
            channel.queueBind(queue, exchange, "BenchEvent.*");
        }
        return queue;
    }

    private static void deleteQueue(String queue) throws Exception {
        try (com.rabbitmq.client.Connection connection = broker().newConnection();
                Channel channel = connection.createChannel()) {
            channel.queueDelete(queue);
        }
    }

    private static ConnectionFactory broker() {
        ConnectionFactory broker = new ConnectionFactory();
        broker.setHost("127.0.0.1");
        return broker;
    }
}
