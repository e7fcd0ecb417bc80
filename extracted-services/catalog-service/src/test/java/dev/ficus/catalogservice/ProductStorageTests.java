package dev.ficus.catalogservice;

import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service's own database: schema {@code catalog} migrated by the service, prices stored in
 * columns of its choosing (price, currency) while the JSON stays the shop's.
 */
@CatalogServiceTest
class ProductStorageTests {

    @Autowired
    JdbcClient jdbc;

    @LocalServerPort
    int port;

    @Value("${spring.application.name}")
    String applicationName;

    @Test
    void theServiceReadsItsOwnConfigurationFile() {
        assertThat(applicationName).isEqualTo("ficus-catalog-service");
    }

    @Test
    void aPriceIsStoredAsPriceAndCurrency() throws Exception {
        String sku = "STORE-" + UUID.randomUUID().toString().substring(0, 8).toUpperCase();
        HttpResponse<String> created = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
                        .uri(URI.create("http://127.0.0.1:" + port + "/api/catalog/products"))
                        .header("Content-Type", "application/json")
                        .header("Authorization", "Bearer " + ServiceTokens.ISSUER.token("storage-admin", Set.of("catalog-admin")))
                        .POST(HttpRequest.BodyPublishers.ofString("""
                                {"sku": "%s", "name": "Stored", "category": "tools",
                                 "price": {"amount": 7.5, "currency": "CHF"}}""".formatted(sku)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);

        Map<String, Object> row = jdbc.sql("select price, currency, active, version from catalog.products where sku = ?")
                .param(sku).query().singleRow();

        assertThat((BigDecimal) row.get("price")).isEqualByComparingTo("7.50");
        assertThat(row.get("currency")).isEqualTo("CHF");
        assertThat(row.get("active")).isEqualTo(true);
        assertThat(row.get("version")).isEqualTo(0L);
    }

    @Test
    void theCatalogSchemaHasItsOwnMigrationHistory() {
        List<String> columns = jdbc.sql("""
                        select column_name from information_schema.columns
                        where table_schema = 'catalog' and table_name = 'products' order by ordinal_position""")
                .query(String.class).list();
        Integer applied = jdbc.sql("select count(*) from catalog.flyway_schema_history where success")
                .query(Integer.class).single();

        assertThat(columns).containsExactly("id", "sku", "name", "description", "price", "currency", "category",
                "active", "created_at", "updated_at", "version");
        assertThat(applied).isGreaterThanOrEqualTo(1);
        assertThat(jdbc.sql("select current_database()").query(String.class).single()).isEqualTo("catalog_service");
    }
}
