package dev.ficus.architecture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.Test;

import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.Violations;
import org.springframework.modulith.docs.Documenter;

import com.tngtech.archunit.core.importer.ImportOption;

import dev.ficus.fixtures.modulith.tangled.TangledApplication;
import dev.ficus.fixtures.modulith.tidy.TidyApplication;
import dev.ficus.shop.FicusApplication;

class ModularityTests {

    static final ApplicationModules MODULES = ApplicationModules.of(FicusApplication.class);

    /** Committed beside the code, so the diagrams change in the same pull request as the code. */
    static final Path DOCS = Path.of("..", "docs", "modules");

    // Spring Modulith skips test classes by default, and the fixtures are test classes.
    static final ImportOption INCLUDING_TESTS = location -> true;

    @Test
    void modulesKeepTheirBoundaries() {
        assertThat(MODULES.stream().map(ApplicationModule::getName))
                .containsExactlyInAnyOrder("catalog", "customers", "identity", "inventory", "orders");
        MODULES.verify();
    }

    @Test
    void writesModuleDiagramsAndCanvases() {
        // Not writeDocumentation(): it also writes application-modules.json into target/classes.
        new Documenter(MODULES, Documenter.Options.defaults().withOutputFolder(DOCS.toString()))
                .writeModulesAsPlantUml()
                .writeIndividualModulesAsPlantUml()
                .writeModuleCanvases();

        assertThat(DOCS.resolve("components.puml")).isNotEmptyFile();
        MODULES.forEach(module -> {
            assertThat(DOCS.resolve("module-" + module.getName() + ".puml")).isNotEmptyFile();
            assertThat(DOCS.resolve("module-" + module.getName() + ".adoc")).isNotEmptyFile();
        });
    }

    @Test
    void verificationFailsWhenAModuleUsesAnotherModulesInternals() {
        ApplicationModules tangled = ApplicationModules.of(TangledApplication.class, INCLUDING_TESTS);

        assertThatThrownBy(tangled::verify)
                .isInstanceOf(Violations.class)
                .hasMessageContaining("shipping")
                .hasMessageContaining("billing.internal.InvoiceNumbers");
    }

    @Test
    void verificationPassesWhenModulesUseEachOthersApi() {
        ApplicationModules tidy = ApplicationModules.of(TidyApplication.class, INCLUDING_TESTS);

        assertThat(tidy.stream().map(ApplicationModule::getName)).containsExactlyInAnyOrder("billing", "shipping");
        assertThatNoException().isThrownBy(tidy::verify);
    }
}
