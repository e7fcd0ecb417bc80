package dev.ficus.toolkit.routing;

import java.security.Principal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseCookie;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The call's context from the HTTP request this thread serves: the user (the authenticated
 * principal, else a header; or the other way round, if so configured), the session from a header,
 * and the client's address. A request that names neither user nor session is known by the id in
 * the routing cookie: 128 random bits, issued on the first such request and read back on later
 * ones. Outside a request the context is empty: routers take it for the background caller.
 */
final class RequestCallContext implements CallContext {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern ISSUED_ID = Pattern.compile("[A-Za-z0-9_-]{22}");
    /** The id given to this request, when it came without one: its later calls use the same. */
    private static final String GIVEN = RequestCallContext.class.getName() + ".id";

    private final RoutingProperties.Context settings;

    RequestCallContext(RoutingProperties.Context settings) {
        this.settings = settings;
        // A name that cannot be a cookie's fails here, at start-up, rather than on a request.
        ResponseCookie.from(settings.cookie(), newId()).build();
    }

    @Override
    public Caller current() {
        RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
        if (!(attributes instanceof ServletRequestAttributes servlet)) {
            return Caller.ANONYMOUS;
        }
        HttpServletRequest request = servlet.getRequest();
        String user = user(request);
        String session = present(request.getHeader(settings.sessionIdHeader()));
        if (user == null && session == null) {
            session = anonymousId(request, servlet.getResponse());
        }
        return new Caller(user, session, request.getRemoteAddr());
    }

    private String user(HttpServletRequest request) {
        String header = present(request.getHeader(settings.userIdHeader()));
        Principal principal = request.getUserPrincipal();
        String authenticated = principal == null ? null : present(principal.getName());
        if (settings.userIdHeaderWins()) {
            return header != null ? header : authenticated;
        }
        return authenticated != null ? authenticated : header;
    }

    /** The caller's id from the cookie, else a new one, sent back in the cookie if still possible. */
    private String anonymousId(HttpServletRequest request, HttpServletResponse response) {
        if (request.getAttribute(GIVEN) instanceof String given) {
            return given;
        }
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            for (Cookie cookie : cookies) {
                if (cookie.getName().equals(settings.cookie()) && cookie.getValue() != null
                        && ISSUED_ID.matcher(cookie.getValue()).matches()) {
                    return cookie.getValue();
                }
            }
        }
        String id = newId();
        request.setAttribute(GIVEN, id);
        if (response != null && !response.isCommitted()) {
            response.addHeader(HttpHeaders.SET_COOKIE, ResponseCookie.from(settings.cookie(), id)
                    .path("/")
                    .maxAge(settings.cookieMaxAge())
                    .httpOnly(true)
                    .secure(request.isSecure())
                    .sameSite("Lax")
                    .build()
                    .toString());
        }
        return id;
    }

    private static String newId() {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id);
    }

    private static String present(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
