package dev.ficus.toolkit.controlroom;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationView;
import org.aopalliance.intercept.MethodInvocation;

import org.springframework.context.event.EventListener;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.modulith.observability.support.ModulithContext;

/**
 * Counts the calls into each module ({@code ficus.modules.calls}, tagged {@code from} and
 * {@code to}) that Spring Modulith observes: requests to its controllers, its listeners of other
 * modules' events (from the module of the event), calls of its exposed beans (from the module whose
 * observed call encloses them). {@code outside} is a request or a job entering the module. A module calling another's API through an internal implementation (a facade in an
 * {@code internal} package) is not observed, hence not counted: the module model shows that
 * dependency, and a routed capability counts its calls itself ({@code ficus.routing.calls}).
 */
final class ModuleCalls implements ObservationHandler<ModulithContext> {

    static final String METER = "ficus.modules.calls";
    static final String OUTSIDE = "outside";

    private final MeterRegistry meters;
    private final ModuleModel model;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();

    ModuleCalls(MeterRegistry meters, ModuleModel model) {
        this.meters = meters;
        this.model = model;
    }

    @Override
    public void onStart(ModulithContext context) {
        try {
            count(context);
        }
        catch (RuntimeException e) {
            // Counting must never fail the call it counts.
            meters.counter(METER + ".failures").increment();
        }
    }

    private void count(ModulithContext context) {
        String to = called(context);
        for (ObservationView outer = context.getParentObservation(); outer != null;
                outer = outer.getContextView().getParentObservation()) {
            if (outer.getContextView() instanceof ModulithContext enclosing && called(enclosing).equals(to)) {
                return; // already inside a call into that module, counted once
            }
        }
        String from = caller(context, to);
        counters.computeIfAbsent(from + " → " + to, key -> meters.counter(METER, "from", from, "to", to)).increment();
    }

    /**
     * For an event listener, the module whose API holds the event's type (events are published by
     * the module they belong to, and an asynchronous listener runs on a thread of its own);
     * otherwise the module whose observed call encloses this one, else {@code outside}. (Not the
     * calling thread's stack: walking it on every call into a module cost a read a quarter of its
     * throughput.)
     */
    private String caller(ModulithContext context, String to) {
        MethodInvocation invocation = context.getInvocation();
        if (AnnotatedElementUtils.hasAnnotation(invocation.getMethod(), EventListener.class)
                && invocation.getArguments().length > 0 && invocation.getArguments()[0] != null) {
            String publisher = model.moduleOf(invocation.getArguments()[0].getClass().getName());
            if (publisher != null && !publisher.equals(to)) {
                return publisher;
            }
        }
        for (ObservationView outer = context.getParentObservation(); outer != null;
                outer = outer.getContextView().getParentObservation()) {
            if (outer.getContextView() instanceof ModulithContext enclosing) {
                String module = called(enclosing);
                if (!module.equals(to)) {
                    return module;
                }
            }
        }
        return OUTSIDE;
    }

    /**
     * The module whose API declares the method called: a router in the application's root package
     * that stands in front of a module's API (and before its extracted service) is a call into that module.
     */
    private String called(ModulithContext context) {
        String declaring = model.moduleOf(context.getInvocation().getMethod().getDeclaringClass().getName());
        return declaring != null ? declaring : context.getModule().getName();
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof ModulithContext;
    }
}
