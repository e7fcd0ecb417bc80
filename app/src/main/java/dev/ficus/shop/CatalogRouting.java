package dev.ficus.shop;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;
import org.springframework.http.HttpStatusCode;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.support.RestClientAdapter;
import org.springframework.web.service.invoker.HttpServiceProxyFactory;

import dev.ficus.shop.catalog.Catalog;
import dev.ficus.toolkit.identity.TokenRelay;
import dev.ficus.toolkit.routing.Routers;

/**
 * Every user of the catalog (its web adapter, orders) gets a router: the catalog module, or
 * catalog-service, call by call, as the flags of {@code catalog-reads} and {@code catalog-writes}
 * say (see {@code ficus.routing} in application.yaml).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(CatalogRouting.CatalogServiceSettings.class)
class CatalogRouting {

    /**
     * @param url            catalog-service's base URL
     * @param connectTimeout longest wait for a connection
     * @param readTimeout    longest wait for an answer (the router's time limit is usually shorter)
     */
    @ConfigurationProperties("ficus.catalog-service")
    record CatalogServiceSettings(
            @DefaultValue("http://127.0.0.1:8081") String url,
            @DefaultValue("500ms") Duration connectTimeout,
            @DefaultValue("3s") Duration readTimeout) {
    }

    @Bean
    @Primary
    Catalog routedCatalog(Routers routers, @Qualifier("catalogService") Catalog module,
            CatalogServiceClient service) {
        return routers.route(Catalog.class, module, service);
    }

    @Bean
    CatalogServiceClient catalogServiceClient(RestClient.Builder builder, TokenRelay identity,
            CatalogServiceSettings settings) {
        RestClient client = ServiceClients.to(builder, identity, settings.url(), settings.connectTimeout(), settings.readTimeout())
                .defaultStatusHandler(HttpStatusCode::is4xxClientError, CatalogServiceAnswer::refuse)
                .build();
        return new CatalogServiceClient(HttpServiceProxyFactory.builderFor(RestClientAdapter.create(client))
                .build()
                .createClient(CatalogServiceApi.class));
    }
}
