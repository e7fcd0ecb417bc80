package dev.ficus.toolkit.cache;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PassThroughCachesTests {

    @Test
    void everyReadGoesToTheSourceAndACacheIsFoundByName() {
        AtomicInteger reads = new AtomicInteger();
        Caches caches = Caches.passThrough();
        CacheAside<Long, String> names = caches.cacheAside("names", Long.class,
                id -> Optional.of("read " + reads.incrementAndGet() + " of " + id));

        assertThat(names.get(7L)).contains("read 1 of 7");
        assertThat(names.get(7L)).contains("read 2 of 7");
        names.evict(7L);
        names.evictAll();
        assertThat(caches.find("names")).containsSame(names);
        assertThat(caches.cacheAside("names", Long.class, id -> Optional.empty())).isSameAs(names);
        assertThat(caches.all()).containsExactly(names);
    }
}
