package dev.ficus.toolkit.problems;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param maxRequestBody larger JSON request bodies are refused with 413 before anything reads them;
 *                       other bodies (forms, uploads) are not limited here; 0 turns the limit off
 */
@ConfigurationProperties("ficus.problems")
public record ProblemDetailsProperties(@DefaultValue("64KB") DataSize maxRequestBody) {
}
