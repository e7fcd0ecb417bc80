package dev.ficus.shop;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.shop.catalog.Money;
import dev.ficus.shop.catalog.NewProduct;
import dev.ficus.shop.customers.Customer;
import dev.ficus.shop.customers.CustomerProfile;
import dev.ficus.shop.customers.Customers;
import dev.ficus.shop.identity.Accounts;
import dev.ficus.shop.identity.NewAccount;
import dev.ficus.shop.identity.Roles;
import dev.ficus.shop.inventory.Inventory;
import dev.ficus.toolkit.embeddedpostgres.EmbeddedPostgresServer;

/**
 * Fills a new embedded database with a small shop once, so the API answers at once: 300
 * products SKU-0001 to SKU-0300, 25 customers, and stock for every SKU except each tenth one
 * (SKU-0010, SKU-0020, ...), which stays sold out. Everyone logs in with the demo password: each
 * customer with their email address (ada15@example.com, grace1@example.com, ...), and the accounts
 * {@code catalog-admin} and {@code operator} with those roles. Another database is touched only when
 * {@code ficus.demo-data.external-database} says so (cluster/run's shared embedded server).
 */
@Component
@ConditionalOnProperty(name = "ficus.demo-data.enabled", havingValue = "true")
class DemoData implements ApplicationRunner {

    static final int PRODUCTS = 300;
    static final int CUSTOMERS = 25;

    private static final Logger log = LoggerFactory.getLogger(DemoData.class);
    private static final List<String> CATEGORIES = List.of("books", "games", "garden", "kitchen", "music",
            "outdoor", "tools", "toys");
    private static final List<String> ADJECTIVES = List.of("Sturdy", "Tiny", "Classic", "Bright", "Quiet",
            "Rustic", "Swift", "Cozy", "Bold", "Clever");
    private static final List<String> NOUNS = List.of("Lantern", "Kettle", "Notebook", "Puzzle", "Shovel",
            "Speaker", "Backpack", "Teapot", "Hammock", "Drone", "Planter", "Compass");
    private static final List<String> NAMES = List.of("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald",
            "Margaret", "Ken", "Radia", "Tim", "Frances", "John", "Hedy", "Dennis", "Leslie");

    /**
     * @param externalDatabase load into a database this instance did not start too: one the
     *                         cluster's instances share, say; never set it for a database that matters
     * @param password         the password of every demo account
     */
    @ConfigurationProperties("ficus.demo-data")
    record Settings(@DefaultValue("false") boolean externalDatabase, @DefaultValue("demo") String password) {
    }

    private final ObjectProvider<EmbeddedPostgresServer> embeddedServer;
    private final Settings settings;
    private final TransactionTemplate transaction;
    private final JdbcClient jdbc;
    private final Catalog catalog;
    private final Customers customers;
    private final Inventory inventory;
    private final Accounts accounts;

    DemoData(ObjectProvider<EmbeddedPostgresServer> embeddedServer, Settings settings, TransactionTemplate transaction,
            JdbcClient jdbc, Catalog catalog, Customers customers, Inventory inventory, Accounts accounts) {
        this.embeddedServer = embeddedServer;
        this.settings = settings;
        this.transaction = transaction;
        this.jdbc = jdbc;
        this.catalog = catalog;
        this.customers = customers;
        this.inventory = inventory;
        this.accounts = accounts;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (embeddedServer.getIfAvailable() == null && !settings.externalDatabase()) {
            log.info("Demo data is only loaded into the embedded database; using an external one, skipped");
            return;
        }
        transaction.executeWithoutResult(status -> {
            // The marker row and the data commit together: loaded entirely, once, or not at all.
            boolean loadedBefore = jdbc.sql("select count(*) from shop.demo_data").query(Long.class).single() > 0;
            if (!loadedBefore) {
                load();
                jdbc.sql("insert into shop.demo_data (loaded_at) values (now())").update();
            }
        });
    }

    private void load() {
        Random random = new Random(42);
        for (int i = 1; i <= PRODUCTS; i++) {
            String sku = "SKU-%04d".formatted(i);
            String name = ADJECTIVES.get(random.nextInt(ADJECTIVES.size())) + " "
                    + NOUNS.get(random.nextInt(NOUNS.size())) + " " + i;
            BigDecimal price = BigDecimal.valueOf(199 + random.nextInt(20_000), 2);
            catalog.create(new NewProduct(sku, name, "A demo product.", new Money(price, "EUR"),
                    CATEGORIES.get(i % CATEGORIES.size())));
            if (i % 10 != 0) {
                inventory.restock(sku, 5 + random.nextInt(96));
            }
        }
        List<NewAccount> logins = new ArrayList<>(List.of(
                new NewAccount("catalog-admin", settings.password(), Set.of(Roles.CATALOG_ADMIN), null),
                new NewAccount("operator", settings.password(), Set.of(Roles.OPERATOR), null)));
        for (int i = 1; i <= CUSTOMERS; i++) {
            String first = NAMES.get(i % NAMES.size());
            Customer customer = customers.register(new CustomerProfile(first.toLowerCase() + i + "@example.com",
                    first + " Demo " + i, null));
            logins.add(new NewAccount(customer.email(), settings.password(), Set.of(Roles.CUSTOMER), customer.id()));
        }
        accounts.openAll(logins);
        log.info("Loaded demo data: {} products, {} customers, stock for {} SKUs, {} accounts", PRODUCTS, CUSTOMERS,
                PRODUCTS - PRODUCTS / 10, logins.size());
    }
}
