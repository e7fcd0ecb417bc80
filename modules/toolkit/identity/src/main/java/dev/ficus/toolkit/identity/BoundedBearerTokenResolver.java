package dev.ficus.toolkit.identity;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.web.BearerTokenResolver;
import org.springframework.security.oauth2.server.resource.web.DefaultBearerTokenResolver;

/**
 * The bearer token from the {@code Authorization} header only (never a query parameter, which ends
 * up in logs), refused unread when longer than any token the issuer makes.
 */
final class BoundedBearerTokenResolver implements BearerTokenResolver {

    static final String OVERSIZED = "The bearer token is longer than any this API issues";

    private final DefaultBearerTokenResolver header = new DefaultBearerTokenResolver();
    private final int maxLength;

    BoundedBearerTokenResolver(int maxLength) {
        this.maxLength = maxLength;
    }

    @Override
    public String resolve(HttpServletRequest request) {
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (authorization != null && authorization.length() > maxLength + "Bearer ".length()
                && authorization.regionMatches(true, 0, "Bearer ", 0, "Bearer ".length())) {
            throw new InvalidBearerTokenException(OVERSIZED);
        }
        return header.resolve(request);
    }
}
