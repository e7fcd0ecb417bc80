package dev.ficus.architecture;

import static dev.ficus.architecture.ArchitectureRules.autoConfiguredBeansBackOff;
import static dev.ficus.architecture.ArchitectureRules.entitiesAreNotPublic;
import static dev.ficus.architecture.ArchitectureRules.entitiesMapTheirOwnModulesSchema;
import static dev.ficus.architecture.ArchitectureRules.noPackageCycles;
import static dev.ficus.architecture.ArchitectureRules.repositoriesAreNotPublic;
import static dev.ficus.architecture.ArchitectureRules.sqlStaysInItsModulesSchema;
import static dev.ficus.architecture.ArchitectureRules.toolkitNeverDependsOnShop;
import static dev.ficus.architecture.ArchitectureRules.webAdaptersAreNotPublic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;

/**
 * Each rule fails on a fixture that breaks it and passes on one that keeps it, so a rule that
 * silently stopped matching anything would be noticed.
 */
class ArchitectureRulesFixtureTest {

    static final String FIXTURES = "dev.ficus.fixtures";

    // The fixtures are test classes, so no DO_NOT_INCLUDE_TESTS here.
    static final JavaClasses FIXTURE_CLASSES = new ClassFileImporter().importPackages(FIXTURES);

    @Test
    void packageCyclesAreFound() {
        assertThatThrownBy(() -> noPackageCycles(FIXTURES + ".cycles.cyclic").check(FIXTURE_CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Cycle detected")
                .hasMessageContaining("Left")
                .hasMessageContaining("Right");
        assertThatNoException().isThrownBy(() -> noPackageCycles(FIXTURES + ".cycles.acyclic").check(FIXTURE_CLASSES));
    }

    @Test
    void publicRepositoriesAreFound() {
        assertThatThrownBy(() -> repositoriesAreNotPublic(FIXTURES + ".visibility.exposed").check(FIXTURE_CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PublicInvoiceRepository");
        assertThatNoException()
                .isThrownBy(() -> repositoriesAreNotPublic(FIXTURES + ".visibility.hidden").check(FIXTURE_CLASSES));
    }

    @Test
    void publicEntitiesAreFound() {
        assertThatThrownBy(() -> entitiesAreNotPublic(FIXTURES + ".visibility.exposed").check(FIXTURE_CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PublicInvoiceRecord");
        assertThatNoException()
                .isThrownBy(() -> entitiesAreNotPublic(FIXTURES + ".visibility.hidden").check(FIXTURE_CLASSES));
    }

    @Test
    void publicWebAdaptersAreFound() {
        assertThatThrownBy(() -> webAdaptersAreNotPublic(FIXTURES + ".visibility.exposed").check(FIXTURE_CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PublicInvoiceController")
                .hasMessageContaining("PublicInvoiceAdvice");
        assertThatNoException()
                .isThrownBy(() -> webAdaptersAreNotPublic(FIXTURES + ".visibility.hidden").check(FIXTURE_CLASSES));
    }

    @Test
    void mappingsOfAnotherModulesSchemaAreFound() {
        assertThatThrownBy(() -> entitiesMapTheirOwnModulesSchema(FIXTURES + ".schemas.trespassing").check(FIXTURE_CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("ParcelView> of module billing maps schema 'shipping' instead of 'billing'")
                .hasMessageContaining("NoteRecord> of module billing maps no schema")
                .hasMessageNotContaining("InvoiceRecord")
                .hasMessageNotContaining("ParcelRecord");
        assertThatNoException().isThrownBy(
                () -> entitiesMapTheirOwnModulesSchema(FIXTURES + ".schemas.owned").check(FIXTURE_CLASSES));
    }

    @Test
    void sqlTouchingAnotherModulesSchemaIsFound() {
        assertThatThrownBy(() -> sqlStaysInItsModulesSchema(FIXTURES + ".schemas.trespassing").check(FIXTURE_CLASSES))
                .isInstanceOf(AssertionError.class)
                // a text block constant, a concatenation and a @Query annotation
                .hasMessageContaining("ParcelCount> of module billing mentions shipping.parcels")
                .hasMessageContaining("ParcelCleanup> of module billing mentions shipping.returns")
                .hasMessageContaining("InvoiceRepository> of module billing mentions shipping.labels")
                .hasMessageNotContaining("mentions billing");
        // Its own schema, property keys, package names and URLs that contain "shipping." are fine.
        assertThatNoException()
                .isThrownBy(() -> sqlStaysInItsModulesSchema(FIXTURES + ".schemas.owned").check(FIXTURE_CLASSES));
    }

    @Test
    void toolkitDependingOnTheShopIsFound() {
        String leaky = FIXTURES + ".layering.leaky";
        assertThatThrownBy(() -> toolkitNeverDependsOnShop(leaky + ".toolkit", leaky + ".shop").check(FIXTURE_CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("BasketFormatter")
                .hasMessageContaining("leaky.shop.Basket");
        String clean = FIXTURES + ".layering.clean";
        assertThatNoException().isThrownBy(
                () -> toolkitNeverDependsOnShop(clean + ".toolkit", clean + ".shop").check(FIXTURE_CLASSES));
    }

    @Test
    void beansThatDoNotBackOffAreFound() {
        assertThatThrownBy(() -> autoConfiguredBeansBackOff(FIXTURES + ".autoconfig.stubborn").check(FIXTURE_CLASSES))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("StubbornAutoConfiguration.clock()");
        assertThatNoException().isThrownBy(
                () -> autoConfiguredBeansBackOff(FIXTURES + ".autoconfig.polite").check(FIXTURE_CLASSES));
    }

    @Test
    void fixturesAreImported() {
        assertThat(FIXTURE_CLASSES).hasSizeGreaterThan(20);
    }
}
