package dev.ficus.shop.catalog;

import java.math.BigDecimal;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.modulith.test.AssertablePublishedEvents;
import org.springframework.modulith.test.Scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ApplicationModuleTest
class CatalogModuleTests {

    private final Catalog catalog;

    CatalogModuleTests(Catalog catalog) {
        this.catalog = catalog;
    }

    @Test
    void createdProductsAreFoundByIdAndSku() {
        Product created = catalog.create(newProduct(uniqueSku(), "tools", "12.50"));

        assertThat(created.active()).isTrue();
        assertThat(catalog.findById(created.id())).contains(created);
        assertThat(catalog.findBySku(created.sku())).contains(created);
    }

    @Test
    void aSkuBelongsToOneProduct() {
        String sku = uniqueSku();
        catalog.create(newProduct(sku, "tools", "1.00"));

        assertThatThrownBy(() -> catalog.create(newProduct(sku, "toys", "2.00"))).isInstanceOf(DuplicateSku.class);
    }

    @Test
    void changingThePricePublishesTheOldAndNewPrice(Scenario scenario) {
        Product product = catalog.create(newProduct(uniqueSku(), "tools", "10.00"));

        scenario.stimulate(() -> catalog.changePrice(product.id(), eur("12.00")))
                .andWaitForEventOfType(ProductPriceChanged.class)
                .matchingMappedValue(ProductPriceChanged::productId, product.id())
                .toArriveAndVerify((event, changed) -> {
                    assertThat(event.oldPrice().sameAs(eur("10.00"))).isTrue();
                    assertThat(event.newPrice().sameAs(eur("12.00"))).isTrue();
                    assertThat(changed.version()).isEqualTo(product.version() + 1);
                });
    }

    @Test
    void settingTheSamePriceChangesNothing(AssertablePublishedEvents events) {
        Product product = catalog.create(newProduct(uniqueSku(), "tools", "10.00"));

        Product unchanged = catalog.changePrice(product.id(), eur("10"));

        assertThat(unchanged.version()).isEqualTo(product.version());
        assertThat(events.ofType(ProductPriceChanged.class)).isEmpty();
    }

    @Test
    void deactivationIsPublishedOnce(AssertablePublishedEvents events) {
        Product product = catalog.create(newProduct(uniqueSku(), "tools", "3.00"));

        catalog.deactivate(product.id());
        Product deactivated = catalog.deactivate(product.id());

        assertThat(deactivated.active()).isFalse();
        assertThat(events.ofType(ProductDeactivated.class).matching(ProductDeactivated::productId, product.id()))
                .hasSize(1);
    }

    @Test
    void changingAnUnknownProductIsRefused() {
        UUID unknown = UUID.randomUUID();

        assertThatThrownBy(() -> catalog.changePrice(unknown, eur("1.00"))).isInstanceOf(ProductNotFound.class);
        assertThatThrownBy(() -> catalog.deactivate(unknown)).isInstanceOf(ProductNotFound.class);
    }

    @Test
    void searchFiltersByTextCategoryAndStatusAndPages() {
        String category = "test-" + UUID.randomUUID().toString().substring(0, 8);
        Product lamp = catalog.create(newProduct(uniqueSku(), category, "5.00", "Desk Lamp"));
        Product lantern = catalog.create(newProduct(uniqueSku(), category, "6.00", "Paper Lantern"));
        Product kettle = catalog.create(newProduct(uniqueSku(), category, "7.00", "Kettle"));
        catalog.deactivate(kettle.id());

        assertThat(catalog.search(new ProductSearch(null, category, null, 0, 10)).totalItems()).isEqualTo(3);
        assertThat(catalog.search(new ProductSearch("LAMP", category, null, 0, 10)).items())
                .extracting(Product::id).containsExactly(lamp.id());
        assertThat(catalog.search(new ProductSearch(null, category, true, 0, 10)).items())
                .extracting(Product::id).containsExactlyInAnyOrder(lamp.id(), lantern.id());

        ProductPage secondPage = catalog.search(new ProductSearch(null, category, null, 1, 2));
        assertThat(secondPage.totalPages()).isEqualTo(2);
        assertThat(secondPage.items()).hasSize(1);
    }

    @Test
    void searchTreatsWildcardsLiterally() {
        String category = "test-" + UUID.randomUUID().toString().substring(0, 8);
        catalog.create(newProduct(uniqueSku(), category, "5.00", "Plain"));

        assertThat(catalog.search(new ProductSearch("%", category, null, 0, 10)).items()).isEmpty();
    }

    static NewProduct newProduct(String sku, String category, String price) {
        return newProduct(sku, category, price, "Product " + sku);
    }

    static NewProduct newProduct(String sku, String category, String price, String name) {
        return new NewProduct(sku, name, "For tests", eur(price), category);
    }

    static Money eur(String amount) {
        return new Money(new BigDecimal(amount), "EUR");
    }

    static String uniqueSku() {
        return "T-" + UUID.randomUUID().toString().substring(0, 13).toUpperCase();
    }
}
