package dev.ficus.shop.identity;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A token as the token endpoint answers it (RFC 6749, section 5.1).
 *
 * @param accessToken the signed JWT, for the header {@code Authorization: Bearer <token>}
 * @param tokenType   always {@code Bearer}
 * @param expiresIn   seconds it stays valid
 */
public record AccessToken(
        @JsonProperty("access_token") String accessToken,
        @JsonProperty("token_type") String tokenType,
        @JsonProperty("expires_in") long expiresIn) {
}
