package dev.ficus.shop.customers.web;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.ficus.shop.customers.CustomerNotFound;
import dev.ficus.shop.customers.DuplicateEmail;
import dev.ficus.toolkit.problems.Problems;

/** How the customers module's refusals look over HTTP. */
@RestControllerAdvice(assignableTypes = CustomersController.class)
class CustomersProblems {

    @ExceptionHandler
    ProblemDetail notFound(CustomerNotFound e) {
        return Problems.of(HttpStatus.NOT_FOUND, "customer-not-found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail duplicate(DuplicateEmail e) {
        return Problems.of(HttpStatus.CONFLICT, "duplicate-email", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail concurrentUpdate(OptimisticLockingFailureException e) {
        return Problems.of(HttpStatus.CONFLICT, "concurrent-update",
                "The customer was changed by someone else at the same time; read it again and retry.");
    }
}
