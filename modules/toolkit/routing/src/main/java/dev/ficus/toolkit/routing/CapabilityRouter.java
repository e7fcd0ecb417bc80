package dev.ficus.toolkit.routing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.timelimiter.TimeLimiter;
import io.github.resilience4j.timelimiter.TimeLimiterConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.scheduling.concurrent.CustomizableThreadFactory;
import org.springframework.web.client.HttpClientErrorException;
import org.springframework.web.client.RestClientException;

/**
 * Routes the calls of one capability: to the module, to the module with a shadow call to the
 * service, or to the service behind a circuit breaker and a time limit, with the module as
 * fallback.
 */
final class CapabilityRouter {

    private final String name;
    private final RoutingProperties.Capability settings;
    private final RoutingFlags flags;
    private final String shadowFlag;
    private final String extractedFlag;
    private final CircuitBreaker circuitBreaker;
    private final TimeLimiter timeLimiter;
    private final Executor serviceCalls;
    private final ThreadPoolExecutor shadowCalls;
    private final UnaryOperator<Callable<Object>> contextPropagation;
    private final JsonMapper json;
    private final Deque<ShadowMismatch> mismatches = new ArrayDeque<>();
    private final Counter toModule;
    private final Counter shadowed;
    private final Counter toService;
    private final Counter matches;
    private final Counter mismatched;
    private final Counter shadowFailures;
    private final Counter dropped;
    private final MeterRegistry meters;

    CapabilityRouter(String name, RoutingProperties.Capability settings, RoutingFlags flags,
            Executor serviceCalls, UnaryOperator<Callable<Object>> contextPropagation, JsonMapper json,
            MeterRegistry meters) {
        this.name = name;
        this.settings = settings;
        this.flags = flags;
        this.shadowFlag = name + ".shadow";
        this.extractedFlag = name + ".extracted";
        this.serviceCalls = serviceCalls;
        this.contextPropagation = contextPropagation;
        this.json = json;
        this.meters = meters;
        this.circuitBreaker = CircuitBreaker.of(name, CircuitBreakerConfig.custom()
                .failureRateThreshold(settings.failureRate())
                .minimumNumberOfCalls(settings.minimumCalls())
                .slidingWindowSize(Math.max(settings.minimumCalls(), 10))
                .waitDurationInOpenState(settings.openFor())
                .permittedNumberOfCallsInHalfOpenState(3)
                .automaticTransitionFromOpenToHalfOpenEnabled(true)
                .build());
        this.timeLimiter = TimeLimiter.of(name, TimeLimiterConfig.custom()
                .timeoutDuration(settings.timeout())
                .cancelRunningFuture(true)
                .build());
        this.dropped = Counter.builder("ficus.routing.shadow.dropped")
                .description("Shadow calls dropped because their queue was full")
                .tag("capability", name).register(meters);
        // One thread: shadow calls must take as little from the requests being served as possible.
        this.shadowCalls = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.shadowQueue()),
                shadowThreads(name),
                (task, executor) -> this.dropped.increment());
        this.toModule = calls("monolith");
        this.shadowed = calls("shadow");
        this.toService = calls("service");
        this.matches = comparisons("match");
        this.mismatched = comparisons("mismatch");
        this.shadowFailures = comparisons("failed");
    }

    private Counter calls(String route) {
        return Counter.builder("ficus.routing.calls").description("Calls of a routed capability, by route taken")
                .tag("capability", name).tag("route", route).register(meters);
    }

    private Counter comparisons(String outcome) {
        return Counter.builder("ficus.routing.shadow.comparisons")
                .description("Shadow calls compared with the module's answer")
                .tag("capability", name).tag("outcome", outcome).register(meters);
    }

    String name() {
        return name;
    }

    /** Where this caller's calls go now: MONOLITH, SHADOW or EXTRACTED (the service). */
    Route routeFor(Caller caller) {
        if (flags.enabled(extractedFlag, caller)) {
            return Route.EXTRACTED;
        }
        if (!settings.writes() && flags.enabled(shadowFlag, caller)) {
            return Route.SHADOW;
        }
        return Route.MONOLITH;
    }

    Object call(Method method, Object[] arguments, Object module, Object service, Caller caller) throws Exception {
        switch (routeFor(caller)) {
            case EXTRACTED -> {
                toService.increment();
                return callService(method, arguments, module, service);
            }
            case SHADOW -> {
                shadowed.increment();
                Object answer;
                try {
                    answer = invoke(method, module, arguments);
                }
                catch (Exception thrown) {
                    shadow(method, arguments, null, thrown, service);
                    throw thrown;
                }
                shadow(method, arguments, answer, null, service);
                return answer;
            }
            default -> {
                toModule.increment();
                return invoke(method, module, arguments);
            }
        }
    }

    /**
     * Answers from the service, or from the module when the service fails (error, timeout, open
     * circuit). Only transport failures count against the service: an answer such as "not found"
     * is the service working, and is returned as the module would.
     */
    private Object callService(Method method, Object[] arguments, Object module, Object service) throws Exception {
        if (!circuitBreaker.tryAcquirePermission()) {
            return fallback("open-circuit", method, arguments, module);
        }
        long start = System.nanoTime();
        try {
            Object answer = timeLimiter.executeFutureSupplier(() -> CompletableFuture.supplyAsync(
                    unchecked(contextPropagation.apply(() -> invoke(method, service, arguments))), serviceCalls));
            circuitBreaker.onSuccess(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            return answer;
        }
        catch (Throwable thrown) {
            Throwable cause = unwrap(thrown);
            long took = System.nanoTime() - start;
            if (cause instanceof TimeoutException || cause instanceof RestClientException) {
                circuitBreaker.onError(took, TimeUnit.NANOSECONDS, cause);
                if (settings.writes() && !notApplied(cause)) {
                    throw new ExtractedServiceFailed(name, cause);
                }
                return fallback(cause instanceof TimeoutException ? "timeout" : "failure", method, arguments, module);
            }
            circuitBreaker.onSuccess(took, TimeUnit.NANOSECONDS);
            if (cause instanceof Exception answer) {
                throw answer;
            }
            throw (Error) cause;
        }
    }

    /**
     * A write may be made in the module instead only if the service surely did not make it: it was
     * never connected to, or it refused the request (4xx). After a timeout or a server error, it
     * may have.
     */
    private static boolean notApplied(Throwable failure) {
        return causedBy(failure, ConnectException.class) || failure instanceof HttpClientErrorException;
    }

    private Object fallback(String reason, Method method, Object[] arguments, Object module) throws Exception {
        meters.counter("ficus.routing.fallbacks", "capability", name, "reason", reason).increment();
        return invoke(method, module, arguments);
    }

    private void shadow(Method method, Object[] arguments, Object monolithAnswer, Throwable monolithError,
            Object service) {
        shadowCalls.execute(() -> {
            Object serviceAnswer = null;
            Throwable serviceError = null;
            try {
                // On this thread: the service client's own timeouts bound the wait.
                serviceAnswer = invoke(method, service, arguments);
            }
            catch (Exception thrown) {
                serviceError = thrown;
            }
            if (serviceError instanceof TimeoutException || serviceError instanceof RestClientException) {
                shadowFailures.increment();
                return;
            }
            compare(method, arguments, render(monolithAnswer, monolithError), render(serviceAnswer, serviceError));
        });
    }

    private void compare(Method method, Object[] arguments, JsonNode monolith, JsonNode service) {
        List<String> differences = new ArrayList<>();
        differences(monolith, service, "", differences);
        if (differences.isEmpty()) {
            matches.increment();
            return;
        }
        mismatched.increment();
        synchronized (mismatches) {
            mismatches.addFirst(new ShadowMismatch(name, method.getName() + Arrays.toString(arguments), monolith,
                    service, List.copyOf(differences), Instant.now()));
            while (mismatches.size() > settings.mismatchSamples()) {
                mismatches.removeLast();
            }
        }
    }

    /** An answer as JSON without the ignored fields; an exception as its kind and message. */
    private JsonNode render(Object answer, Throwable error) {
        if (error != null) {
            ObjectNode thrown = json.createObjectNode();
            thrown.put("threw", error.getClass().getSimpleName());
            thrown.put("message", error.getMessage());
            return thrown;
        }
        JsonNode node = json.valueToTree(answer instanceof Optional<?> optional ? optional.orElse(null)
                : answer);
        return withoutIgnoredFields(node);
    }

    private JsonNode withoutIgnoredFields(JsonNode node) {
        if (node instanceof ObjectNode object) {
            settings.ignoredFields().forEach(object::remove);
            object.properties().forEach(field -> withoutIgnoredFields(field.getValue()));
        }
        else if (node != null && node.isArray()) {
            node.forEach(this::withoutIgnoredFields);
        }
        return node;
    }

    private static void differences(JsonNode left, JsonNode right, String path, List<String> found) {
        if (found.size() >= 10 || Objects.equals(left, right)) {
            return;
        }
        if (left != null && right != null && left.isObject() && right.isObject()) {
            Set<String> names = new TreeSet<>(left.propertyNames());
            names.addAll(right.propertyNames());
            for (String field : names) {
                differences(left.get(field), right.get(field), path + "/" + field, found);
            }
        }
        else if (left != null && right != null && left.isArray() && right.isArray() && left.size() == right.size()) {
            for (int i = 0; i < left.size(); i++) {
                differences(left.get(i), right.get(i), path + "/" + i, found);
            }
        }
        else if (left != null && right != null && left.isNumber() && right.isNumber()
                && left.decimalValue().compareTo(right.decimalValue()) == 0) {
            // 24.9 and 24.90 are the same amount
        }
        else {
            found.add(path.isEmpty() ? "/" : path);
        }
    }

    CapabilityStatus status() {
        FlagState extracted = flags.state(extractedFlag);
        FlagState shadow = flags.state(shadowFlag);
        Route route;
        int share = extracted.reachesAnyone() ? extracted.rollout() : 0;
        if (share >= 100) {
            route = Route.EXTRACTED;
        }
        else if (share > 0) {
            route = Route.CANARY;
        }
        else if (!settings.writes() && shadow.reachesAnyone()) {
            route = Route.SHADOW;
        }
        else {
            route = Route.MONOLITH;
        }
        List<ShadowMismatch> recent;
        synchronized (mismatches) {
            recent = List.copyOf(mismatches);
        }
        double fallbacks = meters.find("ficus.routing.fallbacks").tag("capability", name).counters().stream()
                .mapToDouble(Counter::count).sum();
        return new CapabilityStatus(route, share, circuitBreaker.getState().name(), (long) matches.count(),
                (long) mismatched.count(), (long) dropped.count(), (long) fallbacks, recent);
    }

    void close() {
        shadowCalls.shutdownNow();
    }

    private static Object invoke(Method method, Object target, Object[] arguments) throws Exception {
        try {
            return method.invoke(target, arguments);
        }
        catch (InvocationTargetException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof Exception exception ? exception : e;
        }
    }

    private static Supplier<Object> unchecked(Callable<Object> call) {
        return () -> {
            try {
                return call.call();
            }
            catch (RuntimeException | Error e) {
                throw e;
            }
            catch (Throwable e) {
                throw new CompletionException(e);
            }
        };
    }

    private static Throwable unwrap(Throwable thrown) {
        Throwable cause = thrown;
        while ((cause instanceof CompletionException
                || cause instanceof ExecutionException
                || cause instanceof InvocationTargetException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static boolean causedBy(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    private static CustomizableThreadFactory shadowThreads(String capability) {
        CustomizableThreadFactory threads = new CustomizableThreadFactory("ficus-shadow-" + capability + "-");
        threads.setDaemon(true);
        return threads;
    }
}
