package dev.ficus.shop;

import java.net.URI;

import org.springframework.boot.test.web.server.LocalServerPort;

import dev.ficus.contracts.catalog.CatalogApiContract;

/** The monolith's catalog module keeps the catalog API contract. */
@ShopHttpTest
class CatalogContractTests extends CatalogApiContract {

    @LocalServerPort
    int port;

    @Override
    protected URI baseUrl() {
        return URI.create("http://127.0.0.1:" + port);
    }
}
