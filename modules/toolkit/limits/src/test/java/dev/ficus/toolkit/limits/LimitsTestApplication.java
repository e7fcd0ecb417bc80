package dev.ficus.toolkit.limits;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@SpringBootApplication
class LimitsTestApplication {

    @Bean
    MeterRegistry meters() {
        return new SimpleMeterRegistry();
    }

    /** Reads answer at once; writes wait until the test opens the gate, and are counted. */
    @RestController
    static class Things {

        static volatile CountDownLatch gate = new CountDownLatch(0);
        static final AtomicInteger writes = new AtomicInteger();

        @GetMapping("/api/things")
        String read() {
            return "[]";
        }

        @PostMapping("/api/things")
        @ResponseStatus(HttpStatus.CREATED)
        String write() throws InterruptedException {
            writes.incrementAndGet();
            gate.await(30, TimeUnit.SECONDS);
            return "{}";
        }

        @GetMapping("/elsewhere")
        String elsewhere() {
            return "ok";
        }
    }
}
