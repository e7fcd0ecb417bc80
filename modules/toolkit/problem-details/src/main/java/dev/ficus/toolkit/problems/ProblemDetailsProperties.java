package dev.ficus.toolkit.problems;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param enabled        answer a JSON API's errors with problem details and limit its request
 *                       bodies at all; false leaves every error to the application's own handling
 * @param maxRequestBody larger JSON request bodies are refused with 413 before anything reads them;
 *                       other bodies (forms, uploads) are not limited here; 0 turns the limit off
 */
@ConfigurationProperties("ficus.problems")
public record ProblemDetailsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("64KB") DataSize maxRequestBody) {
}
