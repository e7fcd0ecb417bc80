package dev.ficus.shop.customers.web;

import java.net.URI;
import java.util.UUID;

import jakarta.validation.Valid;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.shop.customers.Customer;
import dev.ficus.shop.customers.CustomerNotFound;
import dev.ficus.shop.customers.CustomerProfile;
import dev.ficus.shop.customers.Customers;
import dev.ficus.toolkit.identity.IdentityClaims;

@RestController
@RequestMapping("/api/customers")
class CustomersController {

    private final Customers customers;

    CustomersController(Customers customers) {
        this.customers = customers;
    }

    @PostMapping
    ResponseEntity<Customer> register(@Valid @RequestBody CustomerProfile profile) {
        Customer customer = customers.register(profile);
        return ResponseEntity.created(URI.create("/api/customers/" + customer.id())).body(customer);
    }

    @GetMapping("/{id}")
    Customer byId(@PathVariable UUID id, @AuthenticationPrincipal Jwt caller) {
        return customers.findById(own(id, caller)).orElseThrow(() -> new CustomerNotFound(id));
    }

    @PutMapping("/{id}")
    Customer update(@PathVariable UUID id, @Valid @RequestBody CustomerProfile profile, @AuthenticationPrincipal Jwt caller) {
        return customers.update(own(id, caller), profile);
    }

    /** A customer sees their own profile only; any other is not found, so that ids cannot be probed. */
    private static UUID own(UUID id, Jwt caller) {
        return IdentityClaims.customerId(caller).filter(id::equals).orElseThrow(() -> new CustomerNotFound(id));
    }
}
