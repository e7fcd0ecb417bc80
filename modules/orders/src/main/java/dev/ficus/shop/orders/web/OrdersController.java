package dev.ficus.shop.orders.web;

import java.net.URI;
import java.util.UUID;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;

import org.springframework.http.ResponseEntity;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.shop.orders.Order;
import dev.ficus.shop.orders.OrderNotFound;
import dev.ficus.shop.orders.Orders;
import dev.ficus.shop.orders.PlaceOrder;
import dev.ficus.toolkit.identity.IdentityClaims;

@RestController
@RequestMapping("/api/orders")
class OrdersController {

    private final Orders orders;

    OrdersController(Orders orders) {
        this.orders = orders;
    }

    /**
     * Answers 201 with the order still PENDING: the stock check follows asynchronously. With an
     * {@code Idempotency-Key} (1 to 255 visible ASCII characters), a repeated request (a retry after
     * a timeout, say) answers the order its key placed instead of placing another.
     */
    @PostMapping
    ResponseEntity<Order> place(@Valid @RequestBody PlaceOrder request,
            @RequestHeader(name = "Idempotency-Key", required = false)
            @Pattern(regexp = "[\\x21-\\x7E]{1,255}", message = "must be 1 to 255 visible ASCII characters")
            String idempotencyKey,
            @AuthenticationPrincipal Jwt caller) {
        if (!IdentityClaims.customerId(caller).map(request.customerId()::equals).orElse(false)) {
            throw new OrderForSomeoneElse();
        }
        Order order = orders.place(request, idempotencyKey);
        return ResponseEntity.created(URI.create("/api/orders/" + order.id())).body(order);
    }

    /** A customer sees their own orders only; any other is not found, so that ids cannot be probed. */
    @GetMapping("/{id}")
    Order byId(@PathVariable UUID id, @AuthenticationPrincipal Jwt caller) {
        return orders.findById(id)
                .filter(order -> IdentityClaims.customerId(caller).map(order.customerId()::equals).orElse(false))
                .orElseThrow(() -> new OrderNotFound(id));
    }
}
