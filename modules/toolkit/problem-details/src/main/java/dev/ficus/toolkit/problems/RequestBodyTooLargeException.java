package dev.ficus.toolkit.problems;

import java.io.IOException;

/** Raised while reading a body that turned out larger than allowed (it had no Content-Length). */
class RequestBodyTooLargeException extends IOException {

    RequestBodyTooLargeException(long limit) {
        super("The request body is larger than the limit of " + limit + " bytes.");
    }
}
