package dev.ficus.catalogservice;

import java.net.URI;

import org.springframework.boot.test.web.server.LocalServerPort;

import dev.ficus.contracts.catalog.CatalogApiContract;
import dev.ficus.contracts.identity.TestIssuer;

/** The extracted service keeps the catalog API contract, exactly like the shop's catalog module. */
@CatalogServiceTest
class CatalogServiceContractTests extends CatalogApiContract {

    @LocalServerPort
    int port;

    @Override
    protected URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    protected TestIssuer issuer() {
        return ServiceTokens.ISSUER;
    }
}
