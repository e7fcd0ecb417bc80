package dev.ficus.shop.identity.web;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import dev.ficus.shop.identity.LoginRefused;
import dev.ficus.toolkit.problems.Problems;

/**
 * How the token endpoint's refusals look: problems, each also carrying the OAuth 2.0 error code
 * ({@code error}) that OAuth clients look for.
 */
@RestControllerAdvice(assignableTypes = TokenController.class)
class IdentityProblems {

    @ExceptionHandler
    ResponseEntity<ProblemDetail> refused(LoginRefused e) {
        ProblemDetail problem = Problems.of(HttpStatus.UNAUTHORIZED, "login-refused", e.getMessage());
        problem.setProperty("error", "invalid_grant");
        return ResponseEntity.status(HttpStatus.UNAUTHORIZED)
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").body(problem);
    }

    @ExceptionHandler
    ProblemDetail invalid(InvalidTokenRequest e) {
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "invalid-token-request", e.getMessage());
        problem.setProperty("error", "invalid_request");
        return problem;
    }

    @ExceptionHandler
    ProblemDetail unsupported(UnsupportedGrant e) {
        ProblemDetail problem = Problems.of(HttpStatus.BAD_REQUEST, "unsupported-grant-type", e.getMessage());
        problem.setProperty("error", "unsupported_grant_type");
        return problem;
    }
}
