package dev.ficus.toolkit.identity;

import java.io.IOException;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.server.resource.authentication.AbstractOAuth2TokenAuthenticationToken;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Puts the caller's identity on a call to an extracted service: the caller's own bearer token,
 * relayed unchanged (it names the API both sides serve); nothing for an anonymous caller, one
 * authenticated otherwise (an operator with a password), or one whose token carries the role
 * {@code operator} (it opens every application's operations endpoints), so the service sees them as
 * anonymous; and
 * the application's {@link ServiceIdentity} for a call made outside any request. The caller is read
 * from the security context, which travels with a shadow call to its own thread.
 */
public final class TokenRelay implements ClientHttpRequestInterceptor {

    private static final String OPERATOR = IdentityClaims.authorityOf("operator");

    private final ObjectProvider<ServiceIdentity> serviceIdentity;

    public TokenRelay(ObjectProvider<ServiceIdentity> serviceIdentity) {
        this.serviceIdentity = serviceIdentity;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        if (!request.getHeaders().containsHeader(HttpHeaders.AUTHORIZATION)) {
            String token = token();
            if (token != null) {
                request.getHeaders().setBearerAuth(token);
            }
        }
        return execution.execute(request, body);
    }

    private String token() {
        Authentication caller = SecurityContextHolder.getContext().getAuthentication();
        if (caller instanceof AbstractOAuth2TokenAuthenticationToken<?> bearer) {
            // An operator's token opens the operations endpoints of every application: it stays here.
            boolean operator = bearer.getAuthorities().stream()
                    .anyMatch(authority -> OPERATOR.equals(authority.getAuthority()));
            return operator ? null : bearer.getToken().getTokenValue();
        }
        if (caller == null && RequestContextHolder.getRequestAttributes() == null) {
            ServiceIdentity identity = serviceIdentity.getIfAvailable();
            return identity == null ? null : identity.token();
        }
        return null;
    }
}
