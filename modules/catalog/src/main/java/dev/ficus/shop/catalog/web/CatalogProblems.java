package dev.ficus.shop.catalog.web;

import org.springframework.dao.OptimisticLockingFailureException;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.ficus.shop.catalog.DuplicateSku;
import dev.ficus.shop.catalog.ProductNotFound;
import dev.ficus.toolkit.problems.Problems;

/** How the catalog's refusals look over HTTP. */
@RestControllerAdvice(assignableTypes = CatalogController.class)
class CatalogProblems {

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
