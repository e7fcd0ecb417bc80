package dev.ficus.shop.catalog.web;

import java.io.IOException;
import java.util.Optional;

import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpInputMessage;
import org.springframework.http.HttpOutputMessage;
import org.springframework.http.MediaType;
import org.springframework.http.converter.AbstractHttpMessageConverter;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.stereotype.Component;

import dev.ficus.shop.catalog.Product;
import dev.ficus.toolkit.cache.CacheAside;
import dev.ficus.toolkit.cache.Caches;

/**
 * Writes a product as JSON once per value: the rendered bytes are cached by the product itself
 * (all of its fields), so a read served from the product cache skips serialization as well, and a
 * changed product is rendered anew. The bytes are exactly what Spring MVC's JSON mapper writes.
 */
@Component
class RenderedProducts extends AbstractHttpMessageConverter<Product> {

    private final CacheAside<Product, byte[]> rendered;

    RenderedProducts(JsonMapper json, Caches caches) {
        super(MediaType.APPLICATION_JSON);
        this.rendered = caches.cacheAside("rendered-products", Product.class,
                product -> Optional.of(json.writeValueAsBytes(product)));
    }

    @Override
    protected boolean supports(Class<?> type) {
        return Product.class == type;
    }

    @Override
    public boolean canRead(Class<?> type, MediaType mediaType) {
        return false;
    }

    @Override
    protected Product readInternal(Class<? extends Product> type, HttpInputMessage input) {
        throw new HttpMessageNotReadableException("Products are only written here", input);
    }

    @Override
    protected Long getContentLength(Product product, MediaType contentType) {
        return (long) bytes(product).length;
    }

    @Override
    protected void writeInternal(Product product, HttpOutputMessage output) throws IOException {
        output.getBody().write(bytes(product));
    }

    private byte[] bytes(Product product) {
        return rendered.get(product).orElseThrow();
    }
}
