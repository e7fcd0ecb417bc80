package dev.ficus.shop;

import java.net.URI;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.ficus.contracts.catalog.CatalogApiContract;
import dev.ficus.contracts.identity.TestIssuer;

/** The monolith's catalog module keeps the catalog API contract, its authorization matrix included. */
@ShopHttpTest
class CatalogContractTests extends CatalogApiContract {

    @LocalServerPort
    int port;

    @Autowired
    ShopTokens tokens;

    @Override
    protected URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }

    @Override
    protected TestIssuer issuer() {
        return tokens.issuer();
    }
}
