package dev.ficus.shop.identity.web;

import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.shop.identity.TokenKeys;

/** Key rotation on demand, for operators (as every {@code /admin} endpoint): after a leak, say. */
@RestController
class KeysController {

    private final TokenKeys keys;

    KeysController(TokenKeys keys) {
        this.keys = keys;
    }

    @PostMapping("/admin/identity/keys")
    @ResponseStatus(HttpStatus.CREATED)
    Map<String, String> rotate() {
        return Map.of("kid", keys.rotate());
    }
}
