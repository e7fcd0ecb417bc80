package dev.ficus.contracts.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.junit.jupiter.api.Test;

import dev.ficus.contracts.identity.AccessMatrix;
import dev.ficus.contracts.identity.TestIssuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The catalog HTTP API as an executable contract: what "behaves the same" means for every
 * implementation of it, the monolith's catalog module and an extracted catalog service alike.
 *
 * <p>A test class extends it and says where the implementation listens ({@link #baseUrl()}). The
 * contract speaks HTTP and JSON only; it creates its own products, with SKUs and names carrying a
 * token unique to each test, so it runs against a database that holds other products, and its
 * tests run in any order.
 */
public abstract class CatalogApiContract {

    private static final String PRODUCTS = "/api/catalog/products";

    private static final Set<String> PRODUCT_FIELDS = Set.of("id", "sku", "name", "description", "price",
            "category", "active", "createdAt", "updatedAt", "version");

    private static final Set<String> PAGE_FIELDS = Set.of("items", "page", "size", "totalItems", "totalPages");

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    /** Amounts keep their exact decimal value: 19.90 is not a double. */
    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** Unique to each test: SKUs, names and categories made with it match nothing else. */
    private final String token = UUID.randomUUID().toString().replace("-", "").substring(0, 10).toUpperCase(Locale.ROOT);

    /** Where the catalog implementation under test listens, such as {@code http://127.0.0.1:8080}. */
    protected abstract URI baseUrl();

    /**
     * Signs tokens the implementation under test accepts: the shop's issuer (its own key), or the
     * issuer whose keys the service was pointed at. Changes are made with a {@code catalog-admin}
     * token of it; the authorization matrix uses every kind it makes.
     */
    protected abstract TestIssuer issuer();

    private String adminToken;

    // --- Creating and reading ---------------------------------------------------------------

    @Test
    public void creatingAProductAnswers201WithItsLocationAndTheProduct() {
        String sku = sku("NEW");

        Answer created = post(PRODUCTS, """
                {"sku": "%s", "name": "Desk lamp", "description": "Warm light", "category": "lighting",
                 "price": {"amount": 24.90, "currency": "EUR"}}""".formatted(sku));

        assertThat(created.status()).isEqualTo(201);
        assertThat(created.mediaType()).isEqualTo("application/json");
        JsonNode product = created.json();
        assertThat(product.propertyNames()).containsExactlyInAnyOrderElementsOf(PRODUCT_FIELDS);
        UUID id = UUID.fromString(product.get("id").stringValue());
        assertThat(created.header("Location")).hasValueSatisfying(location ->
                assertThat(location).endsWith(PRODUCTS + "/" + id));
        assertThat(product.get("sku").stringValue()).isEqualTo(sku);
        assertThat(product.get("name").stringValue()).isEqualTo("Desk lamp");
        assertThat(product.get("description").stringValue()).isEqualTo("Warm light");
        assertThat(product.get("category").stringValue()).isEqualTo("lighting");
        assertThat(product.get("price").propertyNames()).containsExactlyInAnyOrder("amount", "currency");
        assertThat(amount(product)).isEqualByComparingTo("24.90");
        assertThat(product.get("price").get("currency").stringValue()).isEqualTo("EUR");
        assertThat(product.get("active").booleanValue()).isTrue();
        assertThat(product.get("version").isIntegralNumber()).isTrue();
        assertThat(product.get("version").longValue()).isZero();
        Instant createdAt = instant(product, "createdAt");
        assertThat(createdAt).isCloseTo(Instant.now(), within(10, ChronoUnit.MINUTES));
        assertThat(instant(product, "updatedAt")).isEqualTo(createdAt);
    }

    @Test
    public void aProductWithoutDescriptionHasANullDescription() {
        JsonNode product = create(sku("NODESC"), "Plain", "tools", "1.00");

        assertThat(product.has("description")).isTrue();
        assertThat(product.get("description").isNull()).isTrue();
        assertThat(getById(product).json().get("description").isNull()).isTrue();
    }

    @Test
    public void aCreatedProductIsReadBackByIdAndBySku() {
        JsonNode created = create(sku("READ"), "Kettle " + token, "kitchen", "39.5");

        Answer byId = getById(created);
        Answer bySku = get(PRODUCTS + "/sku/" + created.get("sku").stringValue());

        assertThat(byId.status()).isEqualTo(200);
        assertThat(bySku.status()).isEqualTo(200);
        assertThat(byId.mediaType()).isEqualTo("application/json");
        assertSameProduct(byId.json(), created);
        assertSameProduct(bySku.json(), created);
        // Amounts are stored with two decimals: 39.5 is read back as 39.50.
        assertThat(amount(byId.json())).isEqualByComparingTo("39.50");
    }

    @Test
    public void productReadsCarryAnETagNamingIdAndVersionAndMayBeCachedPublicly() {
        JsonNode product = create(sku("ETAG"), "Tagged", "tools", "2.00");

        Answer byId = getById(product);
        Answer bySku = get(PRODUCTS + "/sku/" + product.get("sku").stringValue());

        String etag = byId.header("ETag").orElseThrow();
        assertThat(etag).matches("\"" + product.get("id").stringValue() + "-0-[0-9a-f]{1,8}\"");
        assertThat(bySku.header("ETag")).hasValue(etag);
        assertThat(byId.header("Cache-Control")).hasValue("max-age=30, public");
        assertThat(bySku.header("Cache-Control")).hasValue("max-age=30, public");
    }

    @Test
    public void aConditionalReadWithTheCurrentETagAnswers304WithoutABody() {
        JsonNode product = create(sku("COND"), "Conditional", "tools", "2.00");
        String etag = getById(product).header("ETag").orElseThrow();

        Answer byId = send("GET", PRODUCTS + "/" + id(product), null, Map.of("If-None-Match", etag));
        Answer bySku = send("GET", PRODUCTS + "/sku/" + product.get("sku").stringValue(), null,
                Map.of("If-None-Match", etag));

        assertThat(byId.status()).isEqualTo(304);
        assertThat(byId.body()).isEmpty();
        assertThat(byId.header("ETag")).hasValue(etag);
        assertThat(bySku.status()).isEqualTo(304);
        assertThat(bySku.body()).isEmpty();
    }

    @Test
    public void aChangedProductHasANewETagAndTheOldOneNoLongerMatches() {
        JsonNode product = create(sku("STALE"), "Before", "tools", "2.00");
        String before = getById(product).header("ETag").orElseThrow();
        assertThat(put(PRODUCTS + "/" + id(product), """
                {"name": "After", "category": "tools"}""").status()).isEqualTo(200);

        Answer reread = send("GET", PRODUCTS + "/" + id(product), null, Map.of("If-None-Match", before));

        assertThat(reread.status()).isEqualTo(200);
        assertThat(reread.json().get("name").stringValue()).isEqualTo("After");
        assertThat(reread.header("ETag")).hasValueSatisfying(after -> assertThat(after)
                .isNotEqualTo(before)
                .startsWith("\"" + id(product) + "-1-"));
    }

    // --- Changing ---------------------------------------------------------------------------

    @Test
    public void anUpdateReplacesTheDetailsAndIncrementsTheVersion() {
        JsonNode product = create(sku("UPD"), "Old name", "tools", "5.00");

        Answer updated = put(PRODUCTS + "/" + id(product), """
                {"name": "New name", "description": "Now described", "category": "garden"}""");

        assertThat(updated.status()).isEqualTo(200);
        JsonNode changed = updated.json();
        assertThat(changed.propertyNames()).containsExactlyInAnyOrderElementsOf(PRODUCT_FIELDS);
        assertThat(changed.get("name").stringValue()).isEqualTo("New name");
        assertThat(changed.get("description").stringValue()).isEqualTo("Now described");
        assertThat(changed.get("category").stringValue()).isEqualTo("garden");
        assertThat(changed.get("version").longValue()).isEqualTo(product.get("version").longValue() + 1);
        assertThat(changed.get("id")).isEqualTo(product.get("id"));
        assertThat(changed.get("sku")).isEqualTo(product.get("sku"));
        assertThat(amount(changed)).isEqualByComparingTo("5.00");
        assertThat(changed.get("active").booleanValue()).isTrue();
        assertThat(instant(changed, "createdAt")).isEqualTo(instant(product, "createdAt"));
        assertThat(instant(changed, "updatedAt")).isAfterOrEqualTo(instant(product, "updatedAt"));
        assertSameProduct(getById(product).json(), changed);
    }

    @Test
    public void anUpdateIsAWholeReplacementOfTheDetailsAndAlwaysANewVersion() {
        JsonNode product = create(sku("REPL"), "Same", "tools", "5.00");
        String sameDetails = """
                {"name": "Same", "category": "tools"}""";

        JsonNode first = put(PRODUCTS + "/" + id(product), """
                {"name": "Same", "description": "Described", "category": "tools"}""").json();
        JsonNode second = put(PRODUCTS + "/" + id(product), sameDetails).json();
        JsonNode third = put(PRODUCTS + "/" + id(product), sameDetails).json();

        assertThat(first.get("description").stringValue()).isEqualTo("Described");
        // Leaving the description out clears it.
        assertThat(second.get("description").isNull()).isTrue();
        assertThat(List.of(first, second, third)).extracting(p -> p.get("version").longValue())
                .containsExactly(1L, 2L, 3L);
        assertThat(getById(product).json().get("version").longValue()).isEqualTo(3);
    }

    @Test
    public void aNewPriceIsAnsweredReadBackAndCountsAsAVersion() {
        JsonNode product = create(sku("PRICE"), "Priced", "tools", "10.00");

        Answer changed = put(PRODUCTS + "/" + id(product) + "/price", """
                {"amount": 12.5, "currency": "USD"}""");

        assertThat(changed.status()).isEqualTo(200);
        assertThat(amount(changed.json())).isEqualByComparingTo("12.50");
        assertThat(changed.json().get("price").get("currency").stringValue()).isEqualTo("USD");
        assertThat(changed.json().get("version").longValue()).isEqualTo(1);
        assertThat(changed.json().get("name").stringValue()).isEqualTo("Priced");
        JsonNode reread = getById(product).json();
        assertThat(amount(reread)).isEqualByComparingTo("12.50");
        assertThat(reread.get("price").get("currency").stringValue()).isEqualTo("USD");
        assertThat(reread.get("version").longValue()).isEqualTo(1);
    }

    @Test
    public void theSamePriceWhateverItsScaleChangesNothing() {
        JsonNode product = create(sku("SAME"), "Unchanged", "tools", "10.00");

        Answer again = put(PRODUCTS + "/" + id(product) + "/price", """
                {"amount": 10, "currency": "EUR"}""");

        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("version").longValue()).isZero();
        assertThat(instant(again.json(), "updatedAt")).isEqualTo(instant(product, "updatedAt"));
        assertThat(getById(product).json().get("version").longValue()).isZero();
    }

    @Test
    public void deactivationWithdrawsAProductOnceAndRepeatingItChangesNothing() {
        JsonNode product = create(sku("DEACT"), "Withdrawn", "tools", "3.00");

        Answer first = post(PRODUCTS + "/" + id(product) + "/deactivate", null);
        Answer second = post(PRODUCTS + "/" + id(product) + "/deactivate", null);

        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().get("active").booleanValue()).isFalse();
        assertThat(first.json().get("version").longValue()).isEqualTo(1);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.json().get("active").booleanValue()).isFalse();
        assertThat(second.json().get("version").longValue()).isEqualTo(1);
        JsonNode reread = get(PRODUCTS + "/sku/" + product.get("sku").stringValue()).json();
        assertThat(reread.get("active").booleanValue()).isFalse();
        assertThat(reread.get("version").longValue()).isEqualTo(1);
    }

    @Test
    public void concurrentUpdatesEitherSucceedOrAreRefusedAsConflictsAndNoneIsLost() throws Exception {
        JsonNode product = create(sku("RACE"), "Contended", "tools", "1.00");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Answer>> answers = new ArrayList<>();
        try (ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int writer = 0; writer < 8; writer++) {
                String body = """
                        {"name": "Writer %d", "category": "tools"}""".formatted(writer);
                answers.add(writers.submit(() -> {
                    start.await();
                    return put(PRODUCTS + "/" + id(product), body);
                }));
            }
            start.countDown();
        }

        List<String> winners = new ArrayList<>();
        for (Future<Answer> future : answers) {
            Answer answer = future.get();
            assertThat(answer.status()).as(answer.body()).isIn(200, 409);
            if (answer.status() == 200) {
                winners.add(answer.json().get("name").stringValue());
            }
            else {
                assertProblem(answer, 409, "concurrent-update");
            }
        }
        assertThat(winners).isNotEmpty();
        JsonNode last = getById(product).json();
        assertThat(last.get("version").longValue()).isEqualTo(winners.size());
        assertThat(winners).contains(last.get("name").stringValue());
    }

    // --- Searching --------------------------------------------------------------------------

    @Test
    public void aSearchMatchesPartOfTheNameOrSkuIgnoringCaseInSkuOrder() {
        String lower = token.toLowerCase(Locale.ROOT);
        create(sku("C"), "Floor lamp", "lighting", "1.00");
        create(sku("A"), "Reading lamp " + lower, "lighting", "1.00");
        create(sku("B"), "Desk", "lighting", "1.00");

        assertThat(skus(search("q", lower))).containsExactly(sku("A"), sku("B"), sku("C"));
        assertThat(skus(search("q", "  " + lower + "  "))).containsExactly(sku("A"), sku("B"), sku("C"));
        assertThat(skus(search("q", "LAMP " + token))).containsExactly(sku("A"));
        assertThat(skus(search("q", sku("B").toLowerCase(Locale.ROOT)))).containsExactly(sku("B"));
    }

    @Test
    public void aSearchAnswersAPageWithItsTotals() {
        for (int i = 5; i >= 1; i--) {
            create(sku("P" + i), "Paged " + i, "tools", "1.00");
        }

        JsonNode first = search("q", token, "size", "2");
        JsonNode last = search("q", token, "size", "2", "page", "2");
        JsonNode beyond = search("q", token, "size", "2", "page", "3");

        assertThat(first.propertyNames()).containsExactlyInAnyOrderElementsOf(PAGE_FIELDS);
        assertThat(skus(first)).containsExactly(sku("P1"), sku("P2"));
        assertThat(first.get("items").get(0).propertyNames()).containsExactlyInAnyOrderElementsOf(PRODUCT_FIELDS);
        assertThat(first.get("page").intValue()).isZero();
        assertThat(first.get("size").intValue()).isEqualTo(2);
        assertThat(first.get("totalItems").longValue()).isEqualTo(5);
        assertThat(first.get("totalPages").intValue()).isEqualTo(3);
        assertThat(skus(search("q", token, "size", "2", "page", "1"))).containsExactly(sku("P3"), sku("P4"));
        assertThat(skus(last)).containsExactly(sku("P5"));
        assertThat(last.get("page").intValue()).isEqualTo(2);
        assertThat(skus(beyond)).isEmpty();
        assertThat(beyond.get("totalItems").longValue()).isEqualTo(5);
        assertThat(beyond.get("totalPages").intValue()).isEqualTo(3);
    }

    @Test
    public void aSearchWithoutPagingAnswersTheFirstTwentyAndAnEmptyResultHasNoPages() {
        create(sku("DEF"), "Defaults", "tools", "1.00");

        JsonNode found = search("q", token);
        JsonNode nothing = search("q", "NOTHING-" + token);

        assertThat(found.get("page").intValue()).isZero();
        assertThat(found.get("size").intValue()).isEqualTo(20);
        assertThat(found.get("totalItems").longValue()).isEqualTo(1);
        assertThat(found.get("totalPages").intValue()).isEqualTo(1);
        assertThat(nothing.get("items").isArray()).isTrue();
        assertThat(nothing.get("items").size()).isZero();
        assertThat(nothing.get("totalItems").longValue()).isZero();
        assertThat(nothing.get("totalPages").intValue()).isZero();
    }

    @Test
    public void aSearchFiltersByExactCategoryAndByWhetherProductsAreActive() {
        String category = "c" + token.toLowerCase(Locale.ROOT);
        create(sku("K1"), "One", category, "1.00");
        JsonNode withdrawn = create(sku("K2"), "Two", category, "1.00");
        create(sku("K3"), "Three", category + "-other", "1.00");
        assertThat(post(PRODUCTS + "/" + id(withdrawn) + "/deactivate", null).status()).isEqualTo(200);

        assertThat(skus(search("category", category))).containsExactly(sku("K1"), sku("K2"));
        assertThat(skus(search("q", token, "category", category + "-other"))).containsExactly(sku("K3"));
        assertThat(skus(search("q", token, "active", "true"))).containsExactly(sku("K1"), sku("K3"));
        assertThat(skus(search("q", token, "active", "false"))).containsExactly(sku("K2"));
        assertThat(skus(search("category", category, "active", "false"))).containsExactly(sku("K2"));
        assertThat(skus(search("q", token, "category", ""))).containsExactly(sku("K1"), sku("K2"), sku("K3"));
    }

    @Test
    public void searchTextIsLiteralPercentAndUnderscoreAreNoWildcards() {
        String lower = token.toLowerCase(Locale.ROOT);
        create(sku("LIT"), "Sale " + lower + " 100%", "tools", "1.00");

        assertThat(skus(search("q", lower + " 100%"))).containsExactly(sku("LIT"));
        assertThat(skus(search("q", lower + "%"))).isEmpty();
        assertThat(skus(search("q", token + "_"))).isEmpty();
        assertThat(skus(search("q", token + "-LIT"))).containsExactly(sku("LIT"));
    }

    // --- Refusals ---------------------------------------------------------------------------

    @Test
    public void anInvalidProductIsRefusedNamingEveryOffendingField() {
        Answer refused = post(PRODUCTS, """
                {"sku": "no spaces %s", "name": "", "category": "Lighting",
                 "price": {"amount": -1, "currency": "XYZ"}}""".formatted(token));

        assertProblem(refused, 400, "invalid-input");
        assertThat(errors(refused)).containsExactly(
                Map.entry("category", "must be lower-case letters, digits and dashes"),
                Map.entry("name", "must not be blank"),
                Map.entry("price.amount", "must be greater than or equal to 0.00"),
                Map.entry("price.currency", "must be an ISO 4217 currency code such as EUR"),
                Map.entry("sku", "must be 3 to 40 upper-case letters, digits and dashes"));
        assertThat(search("q", "no spaces " + token).get("totalItems").longValue()).isZero();
    }

    @Test
    public void missingAndOversizedValuesAreRefusedNamingTheirFields() {
        Answer empty = post(PRODUCTS, "{}");
        Answer tooLong = post(PRODUCTS, """
                {"sku": "%s", "name": "%s", "description": "%s", "category": "tools",
                 "price": {"amount": 12345678901.234, "currency": "EUR"}}"""
                .formatted(sku("LONG"), "n".repeat(201), "d".repeat(4001)));

        assertProblem(empty, 400, "invalid-input");
        assertThat(errors(empty)).containsExactly(
                Map.entry("category", "must not be null"),
                Map.entry("name", "must not be blank"),
                Map.entry("price", "must not be null"),
                Map.entry("sku", "must not be null"));
        assertProblem(tooLong, 400, "invalid-input");
        assertThat(errors(tooLong)).containsExactly(
                Map.entry("description", "size must be between 0 and 4000"),
                Map.entry("name", "size must be between 0 and 200"),
                Map.entry("price.amount", "numeric value out of bounds (<10 digits>.<2 digits> expected)"));
        assertThat(get(PRODUCTS + "/sku/" + sku("LONG")).status()).isEqualTo(404);
    }

    @Test
    public void invalidDetailsAndPricesAreRefusedAndChangeNothing() {
        JsonNode product = create(sku("BADCHG"), "Kept", "tools", "4.00");

        Answer details = put(PRODUCTS + "/" + id(product), """
                {"name": " ", "category": "Not Valid"}""");
        Answer price = put(PRODUCTS + "/" + id(product) + "/price", """
                {"amount": 1.001, "currency": "eur"}""");

        assertProblem(details, 400, "invalid-input");
        assertThat(errors(details)).containsExactly(
                Map.entry("category", "must be lower-case letters, digits and dashes"),
                Map.entry("name", "must not be blank"));
        assertProblem(price, 400, "invalid-input");
        assertThat(errors(price)).containsExactly(
                Map.entry("amount", "numeric value out of bounds (<10 digits>.<2 digits> expected)"),
                Map.entry("currency", "must be an ISO 4217 currency code such as EUR"));
        assertSameProduct(getById(product).json(), product);
    }

    @Test
    public void malformedMissingOrMistypedBodiesAreBadRequests() {
        JsonNode product = create(sku("BODY"), "Body", "tools", "4.00");

        Answer malformed = post(PRODUCTS, "{\"sku\": \"X-1\", ");
        Answer missing = send("PUT", PRODUCTS + "/" + id(product) + "/price", "",
                Map.of("Content-Type", "application/json"));
        Answer mistyped = post(PRODUCTS, """
                {"sku": "%s", "name": "Typed", "category": "tools", "price": {"amount": "ten", "currency": "EUR"}}"""
                .formatted(sku("TYPED")));

        assertProblem(malformed, 400, "malformed-body");
        assertThat(malformed.json().get("detail").stringValue()).isEqualTo("The request body is not valid JSON.");
        assertProblem(missing, 400, "malformed-body");
        assertThat(missing.json().get("detail").stringValue()).isEqualTo("The request body is missing.");
        assertProblem(mistyped, 400, "invalid-input");
        assertThat(errors(mistyped)).containsExactly(Map.entry("price.amount", "must be a number"));
        assertThat(get(PRODUCTS + "/sku/" + sku("TYPED")).status()).isEqualTo(404);
    }

    @Test
    public void aMalformedIdInThePathIsABadRequestNamingIt() {
        for (Answer refused : List.of(
                get(PRODUCTS + "/not-a-uuid"),
                put(PRODUCTS + "/not-a-uuid", "{\"name\": \"X\", \"category\": \"tools\"}"),
                put(PRODUCTS + "/not-a-uuid/price", "{\"amount\": 1, \"currency\": \"EUR\"}"),
                post(PRODUCTS + "/not-a-uuid/deactivate", null))) {
            assertProblem(refused, 400, "invalid-input");
            assertThat(errors(refused)).containsExactly(Map.entry("id", "'not-a-uuid' is not a valid UUID"));
        }
    }

    @Test
    public void outOfRangeOrMistypedSearchParametersAreBadRequestsNamingThem() {
        Map<String, Map.Entry<String, String>> cases = new LinkedHashMap<>();
        cases.put("size=0", Map.entry("size", "must be greater than or equal to 1"));
        cases.put("size=101", Map.entry("size", "must be less than or equal to 100"));
        cases.put("page=-1", Map.entry("page", "must be greater than or equal to 0"));
        cases.put("page=100001", Map.entry("page", "must be less than or equal to 100000"));
        cases.put("page=first", Map.entry("page", "'first' is not a valid int"));
        cases.put("q=" + "q".repeat(101), Map.entry("q", "size must be between 0 and 100"));
        cases.put("category=" + "c".repeat(61), Map.entry("category", "size must be between 0 and 60"));
        cases.forEach((query, error) -> {
            Answer refused = get(PRODUCTS + "?" + query);
            assertProblem(refused, 400, "invalid-input");
            assertThat(errors(refused)).as(query).containsExactly(error);
        });
    }

    @Test
    public void unknownProductsAreNotFound() {
        UUID unknown = UUID.randomUUID();
        String unknownSku = sku("NONE");

        Answer byId = get(PRODUCTS + "/" + unknown);
        Answer bySku = get(PRODUCTS + "/sku/" + unknownSku);

        assertProblem(byId, 404, "product-not-found");
        assertThat(byId.json().get("detail").stringValue()).isEqualTo("No product " + unknown);
        assertThat(byId.json().get("instance").stringValue()).isEqualTo(PRODUCTS + "/" + unknown);
        assertProblem(bySku, 404, "product-not-found");
        assertThat(bySku.json().get("detail").stringValue()).isEqualTo("No product " + unknownSku);
        for (Answer refused : List.of(
                put(PRODUCTS + "/" + unknown, "{\"name\": \"X\", \"category\": \"tools\"}"),
                put(PRODUCTS + "/" + unknown + "/price", "{\"amount\": 1, \"currency\": \"EUR\"}"),
                post(PRODUCTS + "/" + unknown + "/deactivate", null))) {
            assertProblem(refused, 404, "product-not-found");
            assertThat(refused.json().get("detail").stringValue()).isEqualTo("No product " + unknown);
        }
    }

    @Test
    public void aDuplicateSkuIsAConflictAndLeavesTheFirstProductAsItWas() {
        String sku = sku("DUP");
        JsonNode first = create(sku, "First", "tools", "1.00");

        Answer duplicate = post(PRODUCTS, """
                {"sku": "%s", "name": "Second", "category": "toys", "price": {"amount": 2, "currency": "EUR"}}"""
                .formatted(sku));

        assertProblem(duplicate, 409, "duplicate-sku");
        assertThat(duplicate.json().get("detail").stringValue())
                .isEqualTo("A product with SKU " + sku + " exists already");
        assertSameProduct(get(PRODUCTS + "/sku/" + sku).json(), first);
        assertThat(search("q", sku).get("totalItems").longValue()).isEqualTo(1);
    }

    @Test
    public void unknownPathsUnsupportedMethodsAndOversizedBodiesAreProblems() {
        JsonNode product = create(sku("MISC"), "Misc", "tools", "1.00");

        Answer unknownPath = get(PRODUCTS + "/" + id(product) + "/no-such-thing");
        Answer delete = send("DELETE", PRODUCTS + "/" + id(product), null, Map.of());
        Answer oversized = post(PRODUCTS, """
                {"sku": "%s", "name": "Huge", "description": "%s", "category": "tools",
                 "price": {"amount": 1, "currency": "EUR"}}""".formatted(sku("HUGE"), "x".repeat(100_000)));

        assertThat(unknownPath.status()).isEqualTo(404);
        assertThat(unknownPath.mediaType()).isEqualTo("application/problem+json");
        assertThat(delete.status()).isEqualTo(405);
        assertThat(delete.mediaType()).isEqualTo("application/problem+json");
        assertProblem(oversized, 413, "request-too-large");
        assertThat(getById(product).json().get("active").booleanValue()).isTrue();
        assertThat(get(PRODUCTS + "/sku/" + sku("HUGE")).status()).isEqualTo(404);
    }

    // --- Who may do what ----------------------------------------------------------------------

    /**
     * Each endpoint, for each caller ({@link AccessMatrix#callers}): anyone reads; only
     * {@code catalog-admin} changes (anonymous: 401, any other role: 403); a token that is not good
     * is 401 everywhere, open reads included. Every refusal is a problem, and nothing refused was done.
     */
    @Test
    public void theAuthorizationMatrixHoldsForEveryEndpointAndEveryCaller() {
        JsonNode product = create(sku("AUTHZ"), "Guarded", "tools", "7.00");
        String path = PRODUCTS + "/" + id(product);
        List<AccessMatrix.Caller> callers = AccessMatrix.callers(issuer());
        String admin = "catalog-admin";
        // Each caller deactivates a product of its own, and offers a price of its own.
        List<JsonNode> withdrawn = new ArrayList<>();
        for (int c = 0; c < callers.size(); c++) {
            withdrawn.add(create(sku("AUTHZ-OFF" + c), "Guarded too", "tools", "7.00"));
        }

        List<String> differences = AccessMatrix.differences(callers, caller -> {
            int c = callers.indexOf(caller);
            return List.of(
                    new AccessMatrix.Endpoint("read by id", "GET", path, null, null, 200),
                    new AccessMatrix.Endpoint("read by SKU", "GET", PRODUCTS + "/sku/" + product.get("sku").stringValue(),
                            null, null, 200),
                    new AccessMatrix.Endpoint("search", "GET", PRODUCTS + "?q=" + token.toLowerCase(Locale.ROOT), null,
                            null, 200),
                    new AccessMatrix.Endpoint("create", "POST", PRODUCTS, """
                            {"sku": "%s", "name": "Made", "category": "tools", "price": {"amount": 1, "currency": "EUR"}}"""
                            .formatted(sku("AUTHZ-C" + c)), admin, 201),
                    new AccessMatrix.Endpoint("update", "PUT", path, """
                            {"name": "Guarded", "category": "tools"}""", admin, 200),
                    new AccessMatrix.Endpoint("change price", "PUT", path + "/price", """
                            {"amount": %d.00, "currency": "EUR"}""".formatted(100 + c), admin, 200),
                    new AccessMatrix.Endpoint("deactivate", "POST", PRODUCTS + "/" + id(withdrawn.get(c)) + "/deactivate",
                            null, admin, 200));
        }, (method, target, body, headers) -> {
            Answer answer = exchange(method, target, body, headers);
            return new AccessMatrix.Answer(answer.status(), answer.mediaType(), answer.body(),
                    answer.header("WWW-Authenticate").isPresent());
        });

        assertThat(differences).as("cells of the authorization matrix that differ from the rules").isEmpty();
        // Nothing refused was done: the admin's update and price only, the admin's product alone
        // created and withdrawn.
        int byAdmin = callers.indexOf(callers.stream().filter(caller -> caller.name().equals(admin)).findFirst()
                .orElseThrow());
        JsonNode guarded = getById(product).json();
        assertThat(guarded.get("version").longValue()).isEqualTo(2);
        assertThat(amount(guarded)).isEqualByComparingTo(BigDecimal.valueOf(100 + byAdmin));
        for (int c = 0; c < callers.size(); c++) {
            String caller = callers.get(c).name();
            assertThat(get(PRODUCTS + "/sku/" + sku("AUTHZ-C" + c)).status()).as(caller).isEqualTo(c == byAdmin ? 200 : 404);
            assertThat(getById(withdrawn.get(c)).json().get("active").booleanValue()).as(caller).isEqualTo(c != byAdmin);
        }
    }

    // --- Helpers ----------------------------------------------------------------------------

    /** An answer as received: status, headers and the body as text. */
    private record Answer(int status, HttpHeaders headers, String body) {

        Optional<String> header(String name) {
            return headers.firstValue(name);
        }

        /** The media type without parameters, or an empty string when there is no Content-Type. */
        String mediaType() {
            return headers.firstValue("Content-Type").map(type -> type.split(";")[0].strip()).orElse("");
        }

        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** A SKU unique to this test, such as {@code CT-3F9A0B12C4-LAMP}. */
    private String sku(String suffix) {
        return "CT-" + token + "-" + suffix;
    }

    private JsonNode create(String sku, String name, String category, String amount) {
        Answer created = post(PRODUCTS, """
                {"sku": "%s", "name": "%s", "category": "%s", "price": {"amount": %s, "currency": "EUR"}}"""
                .formatted(sku, name, category, amount));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json();
    }

    private Answer getById(JsonNode product) {
        return get(PRODUCTS + "/" + id(product));
    }

    private JsonNode search(String... parameters) {
        StringBuilder query = new StringBuilder();
        for (int i = 0; i < parameters.length; i += 2) {
            query.append(i == 0 ? "?" : "&").append(parameters[i]).append('=')
                    .append(URLEncoder.encode(parameters[i + 1], StandardCharsets.UTF_8).replace("+", "%20"));
        }
        Answer page = get(PRODUCTS + query);
        assertThat(page.status()).as(page.body()).isEqualTo(200);
        assertThat(page.mediaType()).isEqualTo("application/json");
        return page.json();
    }

    private static List<String> skus(JsonNode page) {
        List<String> skus = new ArrayList<>();
        page.get("items").forEach(item -> skus.add(item.get("sku").stringValue()));
        return skus;
    }

    private static String id(JsonNode product) {
        return product.get("id").stringValue();
    }

    private static BigDecimal amount(JsonNode product) {
        return product.get("price").get("amount").decimalValue();
    }

    private static Instant instant(JsonNode product, String field) {
        return Instant.parse(product.get(field).stringValue());
    }

    /** Equal field by field; amounts equal in value (a created product echoes the scale it was sent with). */
    private static void assertSameProduct(JsonNode actual, JsonNode expected) {
        assertThat(actual.propertyNames()).containsExactlyInAnyOrderElementsOf(PRODUCT_FIELDS);
        for (String field : PRODUCT_FIELDS) {
            if (field.equals("price")) {
                assertThat(amount(actual)).as("price.amount").isEqualByComparingTo(amount(expected));
                assertThat(actual.get("price").get("currency")).as("price.currency")
                        .isEqualTo(expected.get("price").get("currency"));
            }
            else if (field.endsWith("At")) {
                assertThat(instant(actual, field)).as(field).isEqualTo(instant(expected, field));
            }
            else {
                assertThat(actual.get(field)).as(field).isEqualTo(expected.get(field));
            }
        }
    }

    /** An RFC 9457 problem detail of the given status and {@code urn:problem-type:<kind>}. */
    private static void assertProblem(Answer answer, int status, String kind) {
        assertThat(answer.status()).as(answer.body()).isEqualTo(status);
        assertThat(answer.mediaType()).isEqualTo("application/problem+json");
        JsonNode problem = answer.json();
        assertThat(problem.get("type").stringValue()).isEqualTo("urn:problem-type:" + kind);
        assertThat(problem.get("status").intValue()).isEqualTo(status);
        assertThat(problem.get("title").stringValue()).isNotBlank();
        assertThat(problem.get("detail").stringValue()).isNotBlank();
    }

    /** The {@code errors} of an invalid-input problem as (field, message), in the order answered. */
    private static List<Map.Entry<String, String>> errors(Answer answer) {
        List<Map.Entry<String, String>> errors = new ArrayList<>();
        answer.json().get("errors").forEach(error ->
                errors.add(Map.entry(error.get("field").stringValue(), error.get("message").stringValue())));
        return errors;
    }

    private Answer get(String path) {
        return send("GET", path, null, Map.of());
    }

    private Answer post(String path, String json) {
        return send("POST", path, json, json == null ? Map.of() : Map.of("Content-Type", "application/json"));
    }

    private Answer put(String path, String json) {
        return send("PUT", path, json, Map.of("Content-Type", "application/json"));
    }

    /** As {@code catalog-admin}, unless the headers carry a token. */
    private Answer send(String method, String path, String body, Map<String, String> headers) {
        Map<String, String> withToken = new LinkedHashMap<>(headers);
        if (adminToken == null) {
            adminToken = issuer().token("contract-admin", Set.of("catalog-admin"));
        }
        withToken.putIfAbsent("Authorization", "Bearer " + adminToken);
        return exchange(method, path, body, withToken);
    }

    private Answer exchange(String method, String path, String body, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(baseUrl().resolve(path))
                .timeout(Duration.ofSeconds(30))
                .header("Accept", "application/json, application/problem+json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        headers.forEach(request::header);
        try {
            HttpResponse<String> response = HTTP.send(request.build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Answer(response.statusCode(), response.headers(), response.body());
        }
        catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        }
        catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(method + " " + path + " was interrupted", e);
        }
    }
}
