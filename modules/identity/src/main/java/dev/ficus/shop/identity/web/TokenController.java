package dev.ficus.shop.identity.web;

import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.shop.identity.AccessToken;
import dev.ficus.shop.identity.Accounts;
import dev.ficus.shop.identity.TokenKeys;

/**
 * The token endpoint (RFC 6749, with the password grant: one {@code curl} logs a user in) and the
 * public keys its tokens are checked with (a JWK set, RFC 7517), which extracted services fetch.
 */
@RestController
class TokenController {

    private final Accounts accounts;
    private final TokenKeys keys;

    TokenController(Accounts accounts, TokenKeys keys) {
        this.accounts = accounts;
        this.keys = keys;
    }

    /** Credentials come in the form body only: in the query string, they would end up in logs. */
    @PostMapping(path = "/oauth2/token", consumes = MediaType.APPLICATION_FORM_URLENCODED_VALUE)
    ResponseEntity<AccessToken> token(HttpServletRequest request,
            @RequestParam(name = "grant_type", required = false) String grantType,
            @RequestParam(required = false) String username, @RequestParam(required = false) String password) {
        if (request.getQueryString() != null) {
            throw new InvalidTokenRequest("Send the grant, username and password in the form body, not in the URL");
        }
        if (grantType == null) {
            throw new InvalidTokenRequest("grant_type is missing");
        }
        if (!"password".equals(grantType)) {
            throw new UnsupportedGrant(grantType);
        }
        if (username == null || password == null) {
            throw new InvalidTokenRequest("The password grant needs a username and a password");
        }
        return ResponseEntity.ok().cacheControl(CacheControl.noStore()).body(accounts.login(username, password));
    }

    @GetMapping(path = "/oauth2/jwks", produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Map<String, Object>> jwks() {
        return ResponseEntity.ok().cacheControl(CacheControl.noCache()).body(keys.published());
    }
}
