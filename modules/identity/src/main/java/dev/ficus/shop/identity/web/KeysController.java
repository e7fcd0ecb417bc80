package dev.ficus.shop.identity.web;

import java.util.Map;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.shop.identity.TokenKeys;
import dev.ficus.toolkit.problems.Problems;

/**
 * The signing keys, for operators (as every {@code /admin} endpoint): a rotation now, and the
 * withdrawal of a key at once (a leaked one, say).
 */
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

    @DeleteMapping("/admin/identity/keys/{kid}")
    ResponseEntity<?> withdraw(@PathVariable String kid) {
        if (keys.withdraw(kid)) {
            return ResponseEntity.noContent().build();
        }
        return ResponseEntity.status(HttpStatus.NOT_FOUND)
                .body(Problems.of(HttpStatus.NOT_FOUND, "key-not-found", "No signing key " + kid));
    }
}
