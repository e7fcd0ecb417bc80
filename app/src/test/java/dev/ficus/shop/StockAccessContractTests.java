package dev.ficus.shop;

import java.net.URI;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;

import dev.ficus.contracts.identity.TestIssuer;
import dev.ficus.contracts.inventory.StockAccessContract;

/** The monolith's inventory module keeps the stock API's access rules, as inventory-service does. */
@ShopHttpTest
class StockAccessContractTests extends StockAccessContract {

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
