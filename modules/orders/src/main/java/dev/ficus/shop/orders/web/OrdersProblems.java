package dev.ficus.shop.orders.web;

import java.util.Locale;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.ficus.shop.orders.CheckoutRefused;
import dev.ficus.shop.orders.OrderNotFound;
import dev.ficus.toolkit.problems.Problems;

/** How the orders module's refusals look over HTTP. */
@RestControllerAdvice(assignableTypes = OrdersController.class)
class OrdersProblems {

    @ExceptionHandler
    ProblemDetail notFound(OrderNotFound e) {
        return Problems.of(HttpStatus.NOT_FOUND, "order-not-found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail forSomeoneElse(OrderForSomeoneElse e) {
        return Problems.of(HttpStatus.FORBIDDEN, "order-for-someone-else", e.getMessage());
    }

    /** The request was well-formed but names something that cannot be bought: 422, type e.g. unknown-customer. */
    @ExceptionHandler
    ProblemDetail refused(CheckoutRefused e) {
        return Problems.of(HttpStatus.UNPROCESSABLE_CONTENT,
                e.reason().name().toLowerCase(Locale.ROOT).replace('_', '-'), e.getMessage());
    }
}
