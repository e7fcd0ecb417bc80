package dev.ficus.architecture;

import static com.tngtech.archunit.library.freeze.FreezingArchRule.freeze;
import static dev.ficus.architecture.ArchitectureRules.autoConfiguredBeansBackOff;
import static dev.ficus.architecture.ArchitectureRules.entitiesAreNotPublic;
import static dev.ficus.architecture.ArchitectureRules.entitiesMapTheirOwnModulesSchema;
import static dev.ficus.architecture.ArchitectureRules.modulesUnder;
import static dev.ficus.architecture.ArchitectureRules.noPackageCycles;
import static dev.ficus.architecture.ArchitectureRules.repositoriesAreNotPublic;
import static dev.ficus.architecture.ArchitectureRules.sqlStaysInItsModulesSchema;
import static dev.ficus.architecture.ArchitectureRules.toolkitNeverDependsOnShop;
import static dev.ficus.architecture.ArchitectureRules.webAdaptersAreNotPublic;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;

import dev.ficus.shop.FicusApplication;

/**
 * Every rule against the real code, frozen: violations recorded in
 * {@code src/test/resources/archunit-violations} are tolerated, any new one fails the build.
 */
class ArchitectureRulesTest {

    static final String BASE = "dev.ficus";
    static final String SHOP = "dev.ficus.shop";
    static final String TOOLKIT = "dev.ficus.toolkit";

    // Main classes only, whether they come from the modules' jars or from target/classes of a reactor build.
    static final JavaClasses CODE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(SHOP, TOOLKIT);

    @Test
    void importsTheApplicationEveryModuleAndTheToolkit() {
        assertThat(CODE.contain(FicusApplication.class)).isTrue();
        assertThat(modulesUnder(SHOP, CODE)).containsExactlyInAnyOrder("catalog", "customers", "identity", "inventory", "orders");
        for (String module : modulesUnder(SHOP, CODE)) {
            assertThat(CODE.stream().map(JavaClass::getPackageName))
                    .as("packages imported from module %s", module)
                    .contains(SHOP + "." + module, SHOP + "." + module + ".internal", SHOP + "." + module + ".web");
        }
        assertThat(CODE.stream().filter(javaClass -> javaClass.getPackageName().startsWith(TOOLKIT + ".")))
                .hasSizeGreaterThan(5);
        assertThat(CODE).hasSizeGreaterThan(50);
    }

    @Test
    void shopPackagesAreFreeOfCycles() {
        freeze(noPackageCycles(SHOP)).check(CODE);
    }

    @Test
    void toolkitPackagesAreFreeOfCycles() {
        freeze(noPackageCycles(TOOLKIT)).check(CODE);
    }

    @Test
    void repositoriesAreHidden() {
        freeze(repositoriesAreNotPublic(BASE)).check(CODE);
    }

    @Test
    void entitiesAreHidden() {
        freeze(entitiesAreNotPublic(BASE)).check(CODE);
    }

    @Test
    void webAdaptersAreHidden() {
        freeze(webAdaptersAreNotPublic(BASE)).check(CODE);
    }

    @Test
    void entitiesMapOnlyTheirModulesSchema() {
        freeze(entitiesMapTheirOwnModulesSchema(SHOP)).check(CODE);
    }

    @Test
    void sqlInCodeStaysInItsModulesSchema() {
        freeze(sqlStaysInItsModulesSchema(SHOP)).check(CODE);
    }

    @Test
    void toolkitKnowsNothingOfTheShop() {
        freeze(toolkitNeverDependsOnShop(TOOLKIT, SHOP)).check(CODE);
    }

    @Test
    void everyToolkitBeanBacksOffForTheApplicationsOwn() {
        autoConfiguredBeansBackOff(TOOLKIT).check(CODE);
    }

    /** Only a deliberate run with overriding system properties may write the store. */
    @Test
    void committedConfigurationNeitherCreatesNorGrowsTheStore() throws IOException {
        Properties archunit = new Properties();
        try (InputStream properties = getClass().getResourceAsStream("/archunit.properties")) {
            archunit.load(properties);
        }
        assertThat(archunit)
                .containsEntry("freeze.store.default.allowStoreCreation", "false")
                .containsEntry("freeze.store.default.allowStoreUpdate", "false");
    }
}
