package dev.ficus.toolkit.replication;

import java.sql.SQLException;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.dao.DataIntegrityViolationException;

import dev.ficus.toolkit.problems.ProblemTranslator;

import static org.assertj.core.api.Assertions.assertThat;

/** A fenced write is a 409 problem with the problem-details toolkit, and needs nothing without it. */
class FencedWritesAutoConfigurationTests {

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(FencedWritesAutoConfiguration.class));

    @Test
    void aFencedWriteIsA409ProblemHoweverItWasWrapped() {
        runner.run(context -> {
            var fenced = new DataIntegrityViolationException("could not execute statement",
                    new SQLException("Writes to shop.items moved to the catalog service", Fences.SQLSTATE));
            assertThat(context.getBean(ProblemTranslator.class).translate(fenced)).hasValueSatisfying(problem -> {
                assertThat(problem.getStatus()).isEqualTo(409);
                assertThat(problem.getType()).hasToString("urn:problem-type:writes-moved");
                assertThat(problem.getDetail()).isEqualTo("Writes to shop.items moved to the catalog service");
            });
            assertThat(context.getBean(ProblemTranslator.class).translate(new IllegalStateException())).isEmpty();
        });
    }

    @Test
    void withoutTheProblemDetailsToolkitThereIsNothingToTranslateFor() {
        runner.withClassLoader(new FilteredClassLoader(ProblemTranslator.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(WritesMovedTranslator.class));
    }
}
