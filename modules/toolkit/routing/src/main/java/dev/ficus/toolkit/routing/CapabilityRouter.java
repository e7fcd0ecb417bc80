package dev.ficus.toolkit.routing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.ConnectException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

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
    private final ShadowComparison comparison;
    private final Counter toModule;
    private final Counter shadowed;
    private final Counter toService;
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
        this.comparison = new ShadowComparison(name, settings, json, meters);
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
        stateGauges();
    }

    /** The route, the share sent to the service and the circuit's state, as an operator graphs them. */
    private void stateGauges() {
        Gauge.builder("ficus.routing.service.share", this, router -> router.status().serviceShare())
                .description("Share of users (percent) whose calls go to the service").tag("capability", name)
                .baseUnit("percent").register(meters);
        for (Route route : Route.values()) {
            Gauge.builder("ficus.routing.route", this, router -> router.status().route() == route ? 1 : 0)
                    .description("1 for the route the capability's flags define now, 0 for the others")
                    .tag("capability", name).tag("route", route.name()).register(meters);
        }
        for (CircuitBreaker.State state : List.of(CircuitBreaker.State.CLOSED, CircuitBreaker.State.OPEN,
                CircuitBreaker.State.HALF_OPEN)) {
            Gauge.builder("ficus.routing.circuit.state", circuitBreaker, breaker -> breaker.getState() == state ? 1 : 0)
                    .description("1 for the state of the circuit breaker in front of the service, 0 for the others")
                    .tag("capability", name).tag("state", state.name()).register(meters);
        }
    }

    private Counter calls(String route) {
        return Counter.builder("ficus.routing.calls").description("Calls of a routed capability, by route taken")
                .tag("capability", name).tag("route", route).register(meters);
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

    /**
     * The route of all of the capability's calls at once: the service only once its extracted flag
     * reaches everyone (under a partial rollout two sides would act at once), else the shadow if its
     * flag reaches anyone, else the module.
     */
    Route wholeRoute() {
        FlagState extracted = flags.state(extractedFlag);
        if (extracted.enabled() && extracted.rollout() >= 100) {
            return Route.EXTRACTED;
        }
        return flags.state(shadowFlag).reachesAnyone() ? Route.SHADOW : Route.MONOLITH;
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
        // The caller's context (the trace, and who calls) goes along to the shadow call's thread.
        Callable<Object> serviceCall = contextPropagation.apply(() -> invoke(method, service, arguments));
        shadowCalls.execute(() -> {
            Object serviceAnswer = null;
            Throwable serviceError = null;
            try {
                // On this thread: the service client's own timeouts bound the wait.
                serviceAnswer = serviceCall.call();
            }
            catch (Exception thrown) {
                serviceError = thrown;
            }
            if (serviceError instanceof TimeoutException || serviceError instanceof RestClientException) {
                comparison.failed();
                return;
            }
            comparison.compare(method.getName() + Arrays.toString(arguments), monolithAnswer, monolithError,
                    serviceAnswer, serviceError);
        });
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
        double fallbacks = meters.find("ficus.routing.fallbacks").tag("capability", name).counters().stream()
                .mapToDouble(Counter::count).sum();
        return new CapabilityStatus(route, share, circuitBreaker.getState().name(), settings.writes(),
                comparison.matches(),
                comparison.mismatches(), (long) dropped.count(), (long) fallbacks, comparison.recent());
    }

    /** Compares a module's answer with a service's given some other way (an event's decision, say). */
    boolean compare(String call, Object monolithAnswer, Object serviceAnswer) {
        return comparison.compare(call, monolithAnswer, null, serviceAnswer, null);
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
