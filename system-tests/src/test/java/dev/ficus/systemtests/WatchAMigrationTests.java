package dev.ficus.systemtests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import tools.jackson.databind.JsonNode;

import dev.ficus.toolkit.faultproxy.FaultyProxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Watching the catalog's extraction as an operator would: the shop and catalog-service as
 * processes, flags on a real Unleash server, spans sent to a real Zipkin server, and the migration
 * control room driven in Debian's headless Chromium. The room follows a flag change, shows a row
 * edited by hand in the service as a field-level mismatch, shows a dead letter and its replay, and
 * turns the readiness report green; a routed read is one trace across both processes. Screenshots
 * go to {@code system-tests/target/control-room/}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchAMigrationTests {

    private static final String ROOM = "/actuator/control-room";
    private static final Duration FLAG_CHANGE = Duration.ofSeconds(10);
    private static final Path SCREENSHOTS = Path.of("target", "control-room");
    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

    @TempDir
    static Path work;

    private static ShopAndService system;
    private static Http shop;
    private static UnleashServer unleash;
    private static JavaProcess zipkinProcess;
    private static Http zipkin;
    private static FaultyProxy toService;
    private static WebDriver browser;
    private static String extractedStrategy;

    @BeforeAll
    static void start() throws Exception {
        zipkin = Http.to(JavaProcess.freePort());
        zipkinProcess = new JavaProcess("watch-zipkin", Path.of("target", "zipkin", "zipkin-server.jar"),
                List.of("--armeria.ports[0].port=" + zipkin.port())).start();
        unleash = new UnleashServer("ficus_watch_test").start();
        unleash.createFlag("catalog-reads.shadow", 100);
        unleash.switchFlag("catalog-reads.shadow", false);
        extractedStrategy = unleash.createFlag("catalog-reads.extracted", 0);

        system = new ShopAndService(work, "watch-");
        shop = system.shop;
        // Calls the router sends to the service go through a proxy the test can silence.
        toService = new FaultyProxy(system.service.port());
        String[] tracing = {"--management.tracing.export.zipkin.enabled=true",
                "--management.tracing.export.zipkin.endpoint=http://127.0.0.1:" + zipkin.port() + "/api/v2/spans",
                "--management.tracing.sampling.probability=1.0"};
        system.startShop(concat(tracing,
                "--ficus.routing.flags.unleash-url=" + unleash.clientApi(),
                "--ficus.routing.flags.api-token=" + UnleashServer.CLIENT_TOKEN,
                "--ficus.routing.flags.refresh-interval=1s",
                "--ficus.routing.flags.backup-file=" + work.resolve("flags-backup.json"),
                "--ficus.catalog-service.url=http://127.0.0.1:" + toService.port(),
                "--ficus.control-room.modules.catalog.service-url=http://127.0.0.1:" + system.service.port(),
                "--ficus.control-room.flag-server=" + unleash.adminUrl(),
                "--ficus.control-room.refresh-interval=500ms",
                "--ficus.control-room.readiness.minimum-shadow-calls=50"));
        system.startService(tracing);
        await().atMost(Duration.ofMinutes(2)).until(() -> zipkin.status("/health") == 200);
        await().atMost(Duration.ofMinutes(2)).until(() -> admin(system.service)
                .post("/actuator/replication/reconciliations", "{}").json().path("tables").path(0)
                .path("targetRows").asLong() == 300);
        browser = chromium();
        // The credentials once, in the address; the room keeps a session from then on.
        browser.get("http://ops:secret@127.0.0.1:" + shop.port() + ROOM);
    }

    @AfterAll
    static void stop() throws InterruptedException {
        if (browser != null) {
            browser.quit();
        }
        if (system != null) {
            system.stop();
        }
        if (toService != null) {
            toService.close();
        }
        if (unleash != null) {
            unleash.stop();
        }
        if (zipkinProcess != null) {
            zipkinProcess.stop();
        }
    }

    @Test
    @Order(1)
    void withoutAnOperatorsCredentialsTheRoomShowsNothing() {
        for (String path : List.of(ROOM, ROOM + "/readiness", ROOM + "/readiness/catalog")) {
            Http.Response anonymous = shop.get(path);
            assertThat(anonymous.status()).isEqualTo(401);
            assertThat(anonymous.body()).doesNotContain("verdict", "gates", "SHADOW", "MONOLITH");
            assertThat(shop.as("ops", "wrong").get(path).status()).isEqualTo(401);
        }
        assertThat(shop.as("ops", "secret").post(ROOM + "/modules/catalog/reconciliations", "{}").status())
                .as("an action without the page's CSRF token").isEqualTo(403);
    }

    @Test
    @Order(2)
    void theRoomFollowsTheFlags() throws IOException {
        open();
        assertThat(text("#capability-catalog-reads .route")).isEqualTo("MONOLITH");
        assertThat(text("#module-catalog .phase")).isEqualTo("MONOLITH");
        assertThat(text("#module-catalog .service-phase")).isEqualTo("READ_COPY");
        assertThat(browser.findElement(By.cssSelector("#capability-catalog-reads a")).getAttribute("href"))
                .isEqualTo(unleash.adminUrl() + "/projects/default/features/catalog-reads.extracted");
        screenshot("1-monolith");

        unleash.switchFlag("catalog-reads.shadow", true);
        await().atMost(FLAG_CHANGE).until(() -> {
            open();
            return text("#capability-catalog-reads .route").equals("SHADOW");
        });
        assertThat(text("#module-catalog .phase")).isEqualTo("SHADOW");
        screenshot("2-shadow");
    }

    @Test
    @Order(3)
    void aRoutedReadIsOneTraceAcrossTheShopAndTheService() throws IOException {
        unleash.rollOut("catalog-reads.extracted", extractedStrategy, 100);
        try {
            await().atMost(FLAG_CHANGE).until(() -> route().equals("EXTRACTED"));
            assertThat(shop.get("/api/catalog/products/sku/SKU-0001",
                    "traceparent", "00-" + TRACE_ID + "-00f067aa0ba902b7-01").status()).isEqualTo(200);

            JsonNode trace = await().atMost(Duration.ofSeconds(30)).until(() -> {
                Http.Response found = zipkin.get("/api/v2/trace/" + TRACE_ID);
                return found.status() == 200 ? found.json() : null;
            }, spans -> spans != null && services(spans).containsAll(List.of("ficus-shop", "ficus-catalog-service")));
            Map<String, JsonNode> byId = new HashMap<>();
            trace.forEach(span -> byId.put(span.path("id").asString(), span));
            JsonNode served = byId.values().stream()
                    .filter(span -> service(span).equals("ficus-catalog-service") && kind(span).equals("SERVER"))
                    .findFirst().orElseThrow();
            // Up from the service's span: the shop's call to it (inside the catalog module's span, which
            // Spring Modulith names after the module), then the shop's request, then the caller's span.
            JsonNode call = byId.get(served.path("parentId").asString());
            assertThat(call).as("the span of the shop's call to the service").isNotNull();
            assertThat(kind(call)).isEqualTo("CLIENT");
            JsonNode request = call;
            while (!(service(request).equals("ficus-shop") && kind(request).equals("SERVER"))) {
                request = byId.get(request.path("parentId").asString());
                assertThat(request).as("a span between the shop's request and its call to the service").isNotNull();
            }
            assertThat(request.path("parentId").asString()).isEqualTo("00f067aa0ba902b7");

            open();
            assertThat(text("#capability-catalog-reads .route")).isEqualTo("EXTRACTED");
            assertThat(text("#module-catalog .phase")).isEqualTo("PARTLY_EXTRACTED");
            screenshot("3-reads-extracted");

            // The service goes silent: the module answers instead, and the fallback counts.
            toService.blackhole();
            try {
                assertThat(shop.get("/api/catalog/products/sku/SKU-0002").status()).isEqualTo(200);
            }
            finally {
                toService.heal();
            }
            assertThat(routing().path("fallbacks").asLong()).isPositive();
        }
        finally {
            unleash.rollOut("catalog-reads.extracted", extractedStrategy, 0);
        }
        await().atMost(FLAG_CHANGE).until(() -> route().equals("SHADOW"));
    }

    @Test
    @Order(4)
    void theReadinessReportTurnsGreen() throws IOException {
        open();
        assertThat(text("#module-catalog .verdict")).startsWith("not ready").contains("shadow match rate");
        for (int i = 1; i <= 60; i++) {
            assertThat(shop.get("/api/catalog/products/sku/" + sku(i)).status()).isEqualTo(200);
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> routing().path("shadowMatches").asLong() >= 60);
        assertThat(routing().path("shadowMismatches").asLong()).isZero();
        open();
        browser.findElement(By.id("reconcile-catalog")).click();
        assertThat(text("#outcome")).isEqualTo("catalog's service reconciled");
        assertThat(text("#module-catalog .reconciliation")).startsWith("0 rows differ");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            open();
            return text("#module-catalog .verdict").equals("ready to cut over");
        });
        assertThat(text("#capability-catalog-reads .match-rate")).isEqualTo("100.00 % of 60");
        screenshot("4-ready-to-cut-over");

        JsonNode report = admin(shop).get(ROOM + "/readiness/catalog").json();
        assertThat(report.path("ready").asBoolean()).isTrue();
        assertThat(report.path("usedBy").toString()).contains("orders");
        assertThat(report.path("tables").toString()).contains("products");
        assertThat(report.path("callsIn").path("outside").asLong()).as("the reads above").isGreaterThanOrEqualTo(60);
        assertThat(admin(shop).get(ROOM + "/readiness/orders").json().path("ready").asBoolean()).isFalse();
    }

    @Test
    @Order(5)
    void theReportCountsTheCallsBetweenModules() {
        Login customer = Login.demo(shop, "grace1@example.com");
        assertThat(customer.on(shop).post("/api/orders", "{\"customerId\":\"" + customer.customerId()
                + "\",\"lines\":[{\"sku\":\"SKU-0001\",\"quantity\":1}]}").status()).isEqualTo(201);
        // The order comes in from outside; the inventory answers it with an event orders listens to.
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode orders = admin(shop).get(ROOM + "/readiness/orders").json();
            assertThat(orders.path("callsIn").path("outside").asLong()).isPositive();
            assertThat(orders.path("callsIn").path("inventory").asLong()).isPositive();
        });
    }

    @Test
    @Order(6)
    void aRowEditedByHandInTheServiceShowsAsAFieldLevelMismatch() throws IOException {
        system.serviceDatabase().sql("update catalog.products set name = 'Edited by hand' where sku = 'SKU-0007'")
                .update();
        assertThat(shop.get("/api/catalog/products/sku/SKU-0007").json().path("name").asString())
                .as("the module still answers").isNotEqualTo("Edited by hand");
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            open();
            return !browser.findElements(By.cssSelector("#module-catalog tr.mismatch")).isEmpty();
        });
        List<WebElement> cells = browser.findElements(By.cssSelector("#module-catalog tr.mismatch td"));
        assertThat(cells.stream().map(WebElement::getText).toList())
                .contains("findBySku[SKU-0007]", "/name", "Edited by hand");
        assertThat(text("#module-catalog .verdict")).contains("not ready", "shadow match rate");
        screenshot("5-mismatch");

        admin(system.service).post("/actuator/replication/reconciliations", "{\"repair\":true}");
        assertThat(system.serviceDatabase().sql("select name from catalog.products where sku = 'SKU-0007'")
                .query(String.class).single()).isNotEqualTo("Edited by hand");
    }

    @Test
    @Order(7)
    void aDeadLetterShowsUntilItsReplayAppliesIt() throws IOException {
        system.serviceDatabase().sql("alter table catalog.products add constraint no_poison check (name <> 'Poison')")
                .update();
        system.shopDatabase().sql("update catalog.products set name = 'Poison' where sku = 'SKU-0009'").update();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            open();
            return text("#module-catalog .dead-letters").equals("1");
        });
        assertThat(text("#module-catalog tr.dead-letter")).contains("catalog.products", "no_poison");
        screenshot("6-dead-letter");

        system.serviceDatabase().sql("alter table catalog.products drop constraint no_poison").update();
        open();
        browser.findElement(By.id("replay-catalog")).click();
        assertThat(text("#outcome")).isEqualTo("Dead letters of catalog's service replayed");
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            open();
            return text("#module-catalog .dead-letters").equals("0");
        });
        assertThat(system.serviceDatabase().sql("select name from catalog.products where sku = 'SKU-0009'")
                .query(String.class).single()).isEqualTo("Poison");
        screenshot("7-replayed");
    }

    @Test
    @Order(8)
    void everyMetricTheAlertsWatchIsExported() throws IOException {
        Set<String> watched = new TreeSet<>();
        Matcher names = Pattern.compile("\\bficus_[a-z_]+").matcher(Files.readString(Path.of("..", "observability",
                "alerts.yml")));
        while (names.find()) {
            watched.add(names.group());
        }
        assertThat(watched).hasSizeGreaterThanOrEqualTo(8);
        String exported = admin(shop).get("/actuator/prometheus").body() + admin(system.service)
                .get("/actuator/prometheus").body();
        for (String metric : watched) {
            assertThat(exported).as(metric).containsPattern("(?m)^" + metric + "[{ ]");
        }
    }

    private static void open() {
        browser.get("http://127.0.0.1:" + shop.port() + ROOM);
    }

    private static String text(String selector) {
        return browser.findElement(By.cssSelector(selector)).getText().trim();
    }

    private static void screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,2600",
                "--user-data-dir=" + work.resolve("chromium").toAbsolutePath());
        ChromeDriverService driver = new ChromeDriverService.Builder()
                .usingDriverExecutable(Path.of("/usr/bin/chromedriver").toFile())
                .withLogFile(Path.of("target", "chromedriver.log").toFile())
                .build();
        return new ChromeDriver(driver, options);
    }

    private static Set<String> services(JsonNode spans) {
        Set<String> services = new HashSet<>();
        spans.forEach(span -> services.add(service(span)));
        return services;
    }

    private static String service(JsonNode span) {
        return span.path("localEndpoint").path("serviceName").asString();
    }

    private static String kind(JsonNode span) {
        return span.path("kind").asString();
    }

    private static JsonNode routing() {
        return admin(shop).get("/actuator/routing").json().path("catalog-reads");
    }

    private static String route() {
        return routing().path("route").asString();
    }

    private static String sku(int number) {
        return String.format("SKU-%04d", number);
    }

    private static Http admin(Http application) {
        return ShopAndService.admin(application);
    }

    private static String[] concat(String[] first, String... second) {
        String[] both = new String[first.length + second.length];
        System.arraycopy(first, 0, both, 0, first.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }
}
