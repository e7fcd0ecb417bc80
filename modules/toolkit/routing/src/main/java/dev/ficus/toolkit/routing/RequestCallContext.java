package dev.ficus.toolkit.routing;

import java.security.Principal;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The call's context from the HTTP request this thread serves: the user from a header (else the
 * authenticated principal), the session from a header (else the HTTP session, if one exists), and
 * the client's address. Outside a request the context is empty, and gradual rollouts that need a
 * user or session leave the call in the monolith.
 */
final class RequestCallContext implements CallContext {

    private final RoutingProperties.Context settings;

    RequestCallContext(RoutingProperties.Context settings) {
        this.settings = settings;
    }

    @Override
    public Caller current() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (!(attributes instanceof ServletRequestAttributes servlet)) {
            return Caller.ANONYMOUS;
        }
        HttpServletRequest request = servlet.getRequest();
        String user = request.getHeader(settings.userIdHeader());
        Principal principal = request.getUserPrincipal();
        if (user == null && principal != null) {
            user = principal.getName();
        }
        String session = request.getHeader(settings.sessionIdHeader());
        HttpSession httpSession = request.getSession(false);
        if (session == null && httpSession != null) {
            session = httpSession.getId();
        }
        return new Caller(user, session, request.getRemoteAddr());
    }
}
