package dev.ficus.toolkit.problems;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * @param maxRequestBody larger request bodies are refused with 413 before anything reads them
 */
@ConfigurationProperties("ficus.problems")
public record ProblemDetailsProperties(@DefaultValue("64KB") DataSize maxRequestBody) {
}
