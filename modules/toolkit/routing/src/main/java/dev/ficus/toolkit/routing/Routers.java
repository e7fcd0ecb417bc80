package dev.ficus.toolkit.routing;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.scheduling.concurrent.CustomizableThreadFactory;

/**
 * Makes routers: implementations of a module's API interface that send each call to the module
 * or to its extracted service, as the flags of the method's capability say for the caller.
 */
public final class Routers implements DisposableBean {

    private final Map<String, CapabilityRouter> capabilities = new LinkedHashMap<>();
    private final Map<String, RoutingProperties.Capability> settings;
    private final CallContext context;
    private final RoutingProperties.Context identities;
    private final Executor serviceCalls = serviceCalls();
    private final RoutingFlags flags;

    Routers(RoutingProperties properties, RoutingFlags flags, CallContext context,
            UnaryOperator<Callable<Object>> contextPropagation, JsonMapper json, MeterRegistry meters) {
        this.settings = properties.capabilities();
        this.context = context;
        this.identities = properties.context();
        this.flags = flags;
        settings.forEach((name, capability) -> capabilities.put(name,
                new CapabilityRouter(name, capability, flags, serviceCalls, contextPropagation, json, meters)));
    }

    /**
     * A router for {@code api}: every method of it must belong to a configured capability.
     *
     * @param module  the module in the monolith
     * @param service a client of the extracted service implementing the same interface
     */
    public <T> T route(Class<T> api, T module, T service) {
        Map<Method, CapabilityRouter> routes = new LinkedHashMap<>();
        for (Method method : api.getMethods()) {
            if (method.isDefault() || java.lang.reflect.Modifier.isStatic(method.getModifiers())) {
                continue;
            }
            List<CapabilityRouter> owners = capabilities.values().stream()
                    .filter(capability -> settings.get(capability.name()).methods().contains(method.getName()))
                    .toList();
            if (owners.size() != 1) {
                throw new IllegalStateException(api.getSimpleName() + "." + method.getName() + " belongs to "
                        + owners.size() + " routed capabilities; list it under exactly one of "
                        + capabilities.keySet() + " (ficus.routing.capabilities.<name>.methods)");
            }
            routes.put(method, owners.get(0));
        }
        // A capability covering this API must cover only methods it has: a typo would route nothing.
        Set<String> unknown = routes.values().stream().distinct()
                .flatMap(router -> settings.get(router.name()).methods().stream())
                .filter(name -> Arrays.stream(api.getMethods()).noneMatch(method -> method.getName().equals(name)))
                .collect(Collectors.toSet());
        if (!unknown.isEmpty()) {
            throw new IllegalStateException(api.getSimpleName() + " has no methods " + unknown);
        }
        return api.cast(Proxy.newProxyInstance(api.getClassLoader(), new Class<?>[] {api}, (proxy, method, arguments) -> {
            CapabilityRouter router = routes.get(method);
            if (router == null) {
                return switch (method.getName()) {
                    case "toString" -> "Router of " + api.getSimpleName();
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == arguments[0];
                    default -> throw new UnsupportedOperationException(method.toString());
                };
            }
            return router.call(method, arguments, module, service, identified(context.current()));
        }));
    }

    /**
     * Where a caller's calls of a capability go now: {@link Route#MONOLITH}, {@link Route#SHADOW}
     * or {@link Route#EXTRACTED} (the service). In a canary it depends on the caller: long ids are
     * hashed, and a caller with neither user nor session is the background caller, as for calls.
     *
     * @throws IllegalArgumentException if there is no such capability
     */
    public Route routeFor(String capability, Caller caller) {
        return router(capability).routeFor(identified(caller));
    }

    /**
     * Where all of a capability's work goes at once, for work that must move as a whole (events
     * each side would act on with its own data): {@link Route#EXTRACTED} only once the capability's
     * extracted flag reaches everyone, else {@link Route#SHADOW} if its shadow flag reaches anyone,
     * else {@link Route#MONOLITH}.
     *
     * @throws IllegalArgumentException if there is no such capability
     */
    public Route wholeRoute(String capability) {
        return router(capability).wholeRoute();
    }

    /**
     * Compares what the module decided with what the service decided, when the service's answer
     * arrives some other way than a shadow call (a decision on an event, reported back): counted
     * and sampled as shadow calls are, in {@link #status()}.
     *
     * @param call what was decided, for the mismatch samples
     * @return whether the two matched
     * @throws IllegalArgumentException if there is no such capability
     */
    public boolean compareShadow(String capability, String call, Object monolithAnswer, Object serviceAnswer) {
        return router(capability).compare(call, monolithAnswer, serviceAnswer);
    }

    private CapabilityRouter router(String capability) {
        CapabilityRouter router = capabilities.get(capability);
        if (router == null) {
            throw new IllegalArgumentException("No routed capability " + capability + "; there are "
                    + capabilities.keySet());
        }
        return router;
    }

    private Caller identified(Caller caller) {
        return (caller == null ? Caller.ANONYMOUS : caller).identified(identities.backgroundId(),
                identities.maxIdLength());
    }

    /** Each capability's route and health, by name. */
    public Map<String, CapabilityStatus> status() {
        Map<String, CapabilityStatus> status = new LinkedHashMap<>();
        capabilities.forEach((name, router) -> status.put(name, router.status()));
        return status;
    }

    /**
     * Calls to extracted services, each on a thread of its own (a virtual one on Java 21 and
     * newer; else pooled daemon threads), interrupted when the application stops.
     */
    private static Executor serviceCalls() {
        if (Runtime.version().feature() < 21) {
            CustomizableThreadFactory threads = new CustomizableThreadFactory("ficus-service-call-");
            threads.setDaemon(true);
            return Executors.newCachedThreadPool(threads);
        }
        SimpleAsyncTaskExecutor executor = new SimpleAsyncTaskExecutor("ficus-service-call-");
        executor.setVirtualThreads(true);
        executor.setCancelRemainingTasksOnClose(true);
        return executor;
    }

    @Override
    public void destroy() {
        capabilities.values().forEach(CapabilityRouter::close);
        if (serviceCalls instanceof ExecutorService pool) {
            pool.shutdownNow();
        }
        else {
            ((SimpleAsyncTaskExecutor) serviceCalls).close();
        }
        flags.close();
    }
}
