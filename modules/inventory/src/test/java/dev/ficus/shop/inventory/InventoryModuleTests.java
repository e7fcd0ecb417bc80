package dev.ficus.shop.inventory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.modulith.test.Scenario;
import org.springframework.transaction.support.TransactionTemplate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

@ApplicationModuleTest
class InventoryModuleTests {

    private final Inventory inventory;
    private final JdbcClient jdbc;
    private final TransactionTemplate transaction;
    private final ApplicationEventPublisher events;
    private final StockReservations reservations;

    InventoryModuleTests(Inventory inventory, JdbcClient jdbc, TransactionTemplate transaction,
            ApplicationEventPublisher events, StockReservations reservations) {
        this.inventory = inventory;
        this.reservations = reservations;
        this.jdbc = jdbc;
        this.transaction = transaction;
        this.events = events;
    }

    /** Any module's event can ask for stock; this one stands in for orders' OrderPlaced. */
    record Request(UUID reservationReference, Map<String, Integer> requestedQuantities)
            implements StockReservationRequest {
    }

    @Test
    void restockingAddsToTheShelf() {
        String sku = uniqueSku();

        assertThat(inventory.stockOf(sku)).isEqualTo(new StockLevel(sku, 0, 0, 0));
        inventory.restock(sku, 5);
        assertThat(inventory.restock(sku, 3)).isEqualTo(new StockLevel(sku, 8, 0, 8));
    }

    @Test
    void aRequestThatFitsIsReservedInFull(Scenario scenario) {
        String lamp = stocked(5);
        String kettle = stocked(1);
        Request request = new Request(UUID.randomUUID(), Map.of(lamp, 2, kettle, 1));

        scenario.publish(request)
                .andWaitForEventOfType(StockReserved.class)
                .matchingMappedValue(StockReserved::reference, request.reservationReference())
                .toArrive();

        assertThat(inventory.stockOf(lamp)).isEqualTo(new StockLevel(lamp, 5, 2, 3));
        assertThat(inventory.stockOf(kettle).available()).isZero();
        assertThat(reservations.decisionFor(request.reservationReference()))
                .contains(new ReservationDecision(request.reservationReference(), true, List.of()));
    }

    @Test
    void aShortageReservesNothingAndNamesWhatIsMissing(Scenario scenario) {
        String lamp = stocked(5);
        String kettle = stocked(1);
        String neverStocked = uniqueSku();
        Request request = new Request(UUID.randomUUID(), Map.of(lamp, 2, kettle, 2, neverStocked, 1));

        scenario.publish(request)
                .andWaitForEventOfType(StockShortage.class)
                .matchingMappedValue(StockShortage::reference, request.reservationReference())
                .toArriveAndVerify(shortage -> assertThat(shortage.missingSkus())
                        .containsExactlyInAnyOrder(kettle, neverStocked));

        assertThat(inventory.stockOf(lamp).reserved()).isZero();
        assertThat(inventory.stockOf(kettle).reserved()).isZero();
        assertThat(reservations.decisionFor(request.reservationReference())).hasValueSatisfying(decision -> {
            assertThat(decision.reserved()).isFalse();
            assertThat(decision.missingSkus()).containsExactlyInAnyOrder(kettle, neverStocked);
        });
        assertThat(reservations.decisionFor(UUID.randomUUID())).isEmpty();
    }

    @Test
    void aRequestDeliveredTwiceIsServedOnce(Scenario scenario) {
        String lamp = stocked(5);
        Request request = new Request(UUID.randomUUID(), Map.of(lamp, 2));

        scenario.publish(request).andWaitForEventOfType(StockReserved.class)
                .matchingMappedValue(StockReserved::reference, request.reservationReference()).toArrive();
        scenario.publish(request).andWaitForStateChange(this::incompletePublications, count -> count == 0)
                .andVerify(count -> assertThat(inventory.stockOf(lamp).reserved()).isEqualTo(2));
    }

    @Test
    void concurrentRequestsNeverPromiseMoreThanTheShelfHolds() {
        String lamp = stocked(10);
        List<Request> requests = IntStream.range(0, 25)
                .mapToObj(i -> new Request(UUID.randomUUID(), Map.of(lamp, 1)))
                .toList();

        requests.parallelStream().forEach(request ->
                transaction.executeWithoutResult(status -> events.publishEvent(request)));

        await().atMost(Duration.ofSeconds(30)).until(() -> incompletePublications() == 0);
        assertThat(inventory.stockOf(lamp)).isEqualTo(new StockLevel(lamp, 10, 10, 0));
        assertThat(jdbc.sql("select count(*) from inventory.reservations where outcome = 'SHORTAGE' and reference in (:refs)")
                .param("refs", requests.stream().map(Request::reservationReference).toList())
                .query(Long.class).single()).isEqualTo(15);
    }

    private long incompletePublications() {
        return jdbc.sql("select count(*) from event_publication where completion_date is null")
                .query(Long.class).single();
    }

    private String stocked(int quantity) {
        String sku = uniqueSku();
        inventory.restock(sku, quantity);
        return sku;
    }

    private static String uniqueSku() {
        return "T-" + UUID.randomUUID().toString().substring(0, 13).toUpperCase();
    }
}
