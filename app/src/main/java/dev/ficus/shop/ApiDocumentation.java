package dev.ficus.shop;

import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.OAuthFlow;
import io.swagger.v3.oas.models.security.OAuthFlows;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The OpenAPI document (/v3/api-docs) declares how callers prove who they are: a bearer token
 * (a JWT from the shop's token endpoint, whose password flow Swagger UI can run), or none for what
 * is open to anyone; operators use HTTP Basic on the operations endpoints.
 */
@Configuration(proxyBeanMethods = false)
class ApiDocumentation {

    static final String BEARER = "bearer";

    @Bean
    OpenAPI shopApi() {
        return new OpenAPI()
                .info(new Info().title("Ficus shop").version("1"))
                .components(new Components()
                        .addSecuritySchemes(BEARER, new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP).scheme("bearer").bearerFormat("JWT")
                                .description("A token from POST /oauth2/token. Catalog and stock reads and "
                                        + "sign-up need none; catalog and stock changes need the role catalog-admin; "
                                        + "profiles and orders need the role customer, and are the caller's own only."))
                        .addSecuritySchemes("login", new SecurityScheme()
                                .type(SecurityScheme.Type.OAUTH2)
                                .flows(new OAuthFlows().password(new OAuthFlow().tokenUrl("/oauth2/token"))))
                        .addSecuritySchemes("operator", new SecurityScheme()
                                .type(SecurityScheme.Type.HTTP).scheme("basic")
                                .description("The operations user (spring.security.user.*), on /actuator and /admin")))
                // A token, or none where none is needed.
                .addSecurityItem(new SecurityRequirement().addList(BEARER))
                .addSecurityItem(new SecurityRequirement());
    }
}
