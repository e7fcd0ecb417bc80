package dev.ficus.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;

import dev.ficus.shop.FicusApplication;

/**
 * (c) of "no module touches another module's schema": a module's Flyway scripts create and change
 * only its own schema. Checked on the scripts as shipped in the jars.
 */
class MigrationSchemaTest {

    static final Set<String> MODULE_SCHEMAS = ApplicationModules.of(FicusApplication.class).stream()
            .map(ApplicationModule::getName)
            .collect(Collectors.toUnmodifiableSet());

    @Test
    void migrationsTouchOnlyTheirOwnSchema() {
        MigrationScripts migrations = MigrationScripts.under("db/migration");

        // Guards against passing because nothing was found.
        assertThat(MODULE_SCHEMAS).containsExactlyInAnyOrder("catalog", "customers", "identity", "inventory", "orders");
        assertThat(migrations.schemas()).containsAll(MODULE_SCHEMAS);
        assertThat(migrations.foreignSchemaReferences(MODULE_SCHEMAS)).isEmpty();
    }

    @Test
    void migrationTouchingAnotherModulesSchemaIsFound() {
        Set<String> fixtureModules = Set.of("billing", "shipping");

        assertThat(MigrationScripts.under("dev/ficus/fixtures/migrations/trespassing")
                .foreignSchemaReferences(fixtureModules))
                .containsExactly("Migration billing/V1__invoices.sql of schema billing mentions shipping.parcels");

        MigrationScripts owned = MigrationScripts.under("dev/ficus/fixtures/migrations/owned");
        assertThat(owned.schemas()).containsExactly("billing", "shipping");
        assertThat(owned.foreignSchemaReferences(fixtureModules)).isEmpty();
    }
}
