package dev.ficus.architecture;

import static dev.ficus.architecture.ArchitectureRules.webAdaptersAreNotPublic;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNoException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.freeze.FreezingArchRule;
import com.tngtech.archunit.library.freeze.ViolationStore;

import dev.ficus.fixtures.visibility.exposed.PublicInvoiceAdvice;
import dev.ficus.fixtures.visibility.exposed.PublicInvoiceController;

/** What adopting the rules on a legacy code base relies on: old violations pass, new ones fail. */
class FreezingTest {

    final ArchRule rule = webAdaptersAreNotPublic("dev.ficus.fixtures.visibility.exposed");
    final InMemoryViolationStore store = new InMemoryViolationStore();

    @Test
    void toleratesRecordedViolationsButFailsOnNewOnes() {
        JavaClasses legacy = new ClassFileImporter().importClasses(PublicInvoiceController.class);
        JavaClasses legacyPlusNewCode = new ClassFileImporter()
                .importClasses(PublicInvoiceController.class, PublicInvoiceAdvice.class);

        // The first run records what is there.
        assertThatNoException().isThrownBy(() -> frozen().check(legacy));
        assertThat(store.getViolations(rule)).singleElement().asString().contains("PublicInvoiceController");

        assertThatNoException().isThrownBy(() -> frozen().check(legacy));
        assertThatThrownBy(() -> frozen().check(legacyPlusNewCode))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("PublicInvoiceAdvice")
                .hasMessageNotContaining("PublicInvoiceController");
    }

    @Test
    void unfrozenRuleFailsOnTheSameViolation() {
        JavaClasses legacy = new ClassFileImporter().importClasses(PublicInvoiceController.class);

        assertThatThrownBy(() -> rule.check(legacy)).isInstanceOf(AssertionError.class)
                .hasMessageContaining("PublicInvoiceController");
    }

    private FreezingArchRule frozen() {
        return FreezingArchRule.freeze(rule).persistIn(store);
    }

    /** Keeps frozen violations per rule description, like the text file store does on disk. */
    static final class InMemoryViolationStore implements ViolationStore {

        private final Map<String, List<String>> violationsByRule = new HashMap<>();

        @Override
        public void initialize(Properties properties) {
        }

        @Override
        public boolean contains(ArchRule rule) {
            return violationsByRule.containsKey(rule.getDescription());
        }

        @Override
        public void save(ArchRule rule, List<String> violations) {
            violationsByRule.put(rule.getDescription(), List.copyOf(violations));
        }

        @Override
        public List<String> getViolations(ArchRule rule) {
            return violationsByRule.getOrDefault(rule.getDescription(), List.of());
        }
    }
}
