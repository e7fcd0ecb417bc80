package dev.ficus.catalogservice.products;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.ficus.toolkit.problems.Problems;

/** The catalog's refusals as problem details, with the shop's types and wording. */
@RestControllerAdvice(assignableTypes = ProductController.class)
class ProductProblems {

    @ExceptionHandler
    ProblemDetail notFound(ProductNotFound e) {
        return Problems.of(HttpStatus.NOT_FOUND, "product-not-found", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail duplicate(DuplicateSku e) {
        return Problems.of(HttpStatus.CONFLICT, "duplicate-sku", e.getMessage());
    }

    @ExceptionHandler
    ProblemDetail concurrentUpdate(OptimisticLockingFailureException e) {
        return Problems.of(HttpStatus.CONFLICT, "concurrent-update",
                "The product was changed by someone else at the same time; read it again and retry.");
    }
}
