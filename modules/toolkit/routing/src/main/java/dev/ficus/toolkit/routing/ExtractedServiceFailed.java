package dev.ficus.toolkit.routing;

/**
 * A write sent to the extracted service got no answer: it may or may not have been applied
 * there, so it is not repeated in the module.
 */
public class ExtractedServiceFailed extends RuntimeException {

    public ExtractedServiceFailed(String capability, Throwable cause) {
        super("The " + capability + " service did not answer in time; the change may or may not have been made."
                + " Read it back before trying again.", cause);
    }
}
