package dev.ficus.toolkit.controlroom;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.jspecify.annotations.Nullable;
import tools.jackson.databind.JsonNode;

import org.springframework.dao.DataAccessException;
import org.springframework.util.ClassUtils;

import dev.ficus.toolkit.controlroom.ModuleView.Capability;
import dev.ficus.toolkit.controlroom.ModuleView.FieldDifference;
import dev.ficus.toolkit.controlroom.ModuleView.Mismatch;
import dev.ficus.toolkit.controlroom.ReadinessReport.Gate;
import dev.ficus.toolkit.routing.CapabilityStatus;
import dev.ficus.toolkit.routing.Route;
import dev.ficus.toolkit.routing.Routers;
import dev.ficus.toolkit.routing.ShadowMismatch;

/**
 * Puts together what the control room shows: per module its routes, its service as last seen and
 * its readiness report; the caches. Everything is read from memory (counters, the latest
 * samples, the service's status fetched in the background) and the database's catalog, so the
 * page costs the same however many calls were compared.
 */
public final class ControlRoom {

    private final ControlRoomProperties properties;
    private final Routers routers;
    private final ServiceWatch services;
    private final ModuleModel model;
    private final @Nullable SchemaFacts schemas;
    private final MeterRegistry meters;

    ControlRoom(ControlRoomProperties properties, Routers routers, ServiceWatch services, ModuleModel model,
            @Nullable SchemaFacts schemas, MeterRegistry meters) {
        this.properties = properties;
        this.routers = routers;
        this.services = services;
        this.model = model;
        this.schemas = schemas;
        this.meters = meters;
    }

    /** Every module: those of the module model, then any other configured one. */
    public List<ModuleView> modules() {
        Map<String, CapabilityStatus> routes = routers.status();
        Map<String, ModuleModel.Structure> structure = model.modules();
        Set<String> names = new LinkedHashSet<>(structure.keySet());
        names.addAll(properties.modules().keySet());
        List<ModuleView> modules = new ArrayList<>();
        for (String name : names) {
            modules.add(module(name, structure.getOrDefault(name, ModuleModel.Structure.UNKNOWN), routes));
        }
        return modules;
    }

    public Optional<ModuleView> module(String name) {
        if (!knows(name)) {
            return Optional.empty();
        }
        return Optional.of(module(name, model.modules().getOrDefault(name, ModuleModel.Structure.UNKNOWN),
                routers.status()));
    }

    /** The modules' names, to check a name against before anything else. */
    public boolean knows(String module) {
        return model.modules().containsKey(module) || properties.modules().containsKey(module);
    }

    private ModuleView module(String name, ModuleModel.Structure structure, Map<String, CapabilityStatus> routes) {
        ControlRoomProperties.Module settings = properties.modules().get(name);
        List<Capability> capabilities = new ArrayList<>();
        List<String> unrouted = new ArrayList<>();
        if (settings != null) {
            for (String capability : settings.capabilities()) {
                CapabilityStatus status = routes.get(capability);
                if (status != null) {
                    capabilities.add(capability(capability, status));
                }
                else {
                    unrouted.add(capability);
                }
            }
        }
        ModuleView.Service service = settings == null ? null : service(name, settings);
        int share = capabilities.stream().filter(capability -> capability.route() == Route.CANARY)
                .mapToInt(Capability::serviceShare).max().orElse(0);
        return new ModuleView(name, phase(capabilities), share, capabilities, service,
                readiness(name, settings, structure, capabilities, unrouted, service));
    }

    private Capability capability(String name, CapabilityStatus status) {
        long compared = status.shadowMatches() + status.shadowMismatches();
        Double percent = compared == 0 ? null : 100.0 * status.shadowMatches() / compared;
        List<Mismatch> mismatches = status.recentMismatches().stream().map(ControlRoom::mismatch).toList();
        URI flag = properties.flagServer() == null ? null
                : properties.flagServer().resolve("/projects/default/features/" + name + ".extracted");
        return new Capability(name, status.route(), status.serviceShare(), status.circuit(), status.writes(),
                status.shadowMatches(), status.shadowMismatches(), percent, status.fallbacks(), mismatches, flag);
    }

    static Mismatch mismatch(ShadowMismatch mismatch) {
        List<FieldDifference> fields = mismatch.differences().stream()
                .map(pointer -> new FieldDifference(pointer.isEmpty() ? "(the whole answer)" : pointer,
                        shown(mismatch.monolith(), pointer), shown(mismatch.service(), pointer)))
                .toList();
        return new Mismatch(mismatch.call(), mismatch.at(), fields);
    }

    private static String shown(@Nullable JsonNode answer, String pointer) {
        JsonNode value = answer == null ? null : answer.at(pointer);
        if (value == null || value.isMissingNode()) {
            return "(absent)";
        }
        return value.isValueNode() ? value.asString() : value.toString();
    }

    /**
     * Where the module is as a whole: EXTRACTED once every capability is; CANARY while any is
     * shared out; PARTLY_EXTRACTED when some are extracted and the others not yet shared out (reads
     * moved, writes not); SHADOW while any is shadowed; else MONOLITH.
     */
    static String phase(List<Capability> capabilities) {
        if (capabilities.isEmpty()) {
            return Route.MONOLITH.name();
        }
        if (capabilities.stream().allMatch(c -> c.route() == Route.EXTRACTED)) {
            return Route.EXTRACTED.name();
        }
        if (capabilities.stream().anyMatch(c -> c.route() == Route.CANARY)) {
            return Route.CANARY.name();
        }
        if (capabilities.stream().anyMatch(c -> c.route() == Route.EXTRACTED)) {
            return "PARTLY_EXTRACTED";
        }
        if (capabilities.stream().anyMatch(c -> c.route() == Route.SHADOW)) {
            return Route.SHADOW.name();
        }
        return Route.MONOLITH.name();
    }

    private ModuleView.@Nullable Service service(String module, ControlRoomProperties.Module settings) {
        if (settings.serviceUrl() == null) {
            return null;
        }
        String name = settings.service() == null ? module + "-service" : settings.service();
        ServiceWatch.Seen seen = services.seen(module);
        if (seen == null) {
            return new ModuleView.Service(name, settings.serviceUrl(), "not asked yet", Instant.now(), null, null,
                    null, null, 0, List.of(), null);
        }
        JsonNode status = seen.replication();
        if (status == null) {
            return new ModuleView.Service(name, settings.serviceUrl(), seen.error(), seen.at(), null, null, null,
                    null, 0, List.of(), null);
        }
        List<ModuleView.DeadLetter> deadLetters = new ArrayList<>();
        if (seen.deadLetters() != null) {
            for (JsonNode letter : seen.deadLetters().path("shown")) {
                deadLetters.add(new ModuleView.DeadLetter(letter.path("id").asLong(),
                        letter.path("change").path("table").asString(""), letter.path("error").asString(""),
                        instant(letter.path("failedAt"))));
            }
        }
        JsonNode last = status.path("lastReconciliation");
        ModuleView.Reconciliation reconciliation = last.isObject() ? new ModuleView.Reconciliation(
                instant(last.path("startedAt")), mismatches(last), last.path("streamCaughtUp").asBoolean()) : null;
        return new ModuleView.Service(name, settings.serviceUrl(), null, seen.at(), text(status.path("phase")),
                text(status.path("state")), ServiceWatch.duration(status.path("staleness")),
                ServiceWatch.duration(status.path("lastLag")), status.path("pendingDeadLetters").asLong(),
                deadLetters, reconciliation);
    }

    private static long mismatches(JsonNode report) {
        long mismatches = 0;
        for (JsonNode table : report.path("tables")) {
            mismatches += table.path("missing").asLong() + table.path("unexpected").asLong()
                    + table.path("different").asLong();
        }
        return mismatches;
    }

    private static @Nullable String text(JsonNode node) {
        return node.isString() ? node.asString() : null;
    }

    private static @Nullable Instant instant(JsonNode node) {
        if (node.isString()) {
            return Instant.parse(node.asString());
        }
        if (node.isNumber()) {
            return Instant.ofEpochMilli((long) (node.asDouble() * 1000));
        }
        return null;
    }

    private ReadinessReport readiness(String name, ControlRoomProperties.@Nullable Module settings,
            ModuleModel.Structure structure, List<Capability> capabilities, List<String> unrouted,
            ModuleView.@Nullable Service service) {
        String schema = settings == null || settings.schema() == null ? name : settings.schema();
        List<String> tables = List.of();
        List<String> crossings = null;
        if (schemas != null) {
            try {
                tables = schemas.tables(schema);
                crossings = schemas.crossings(schema);
            }
            catch (DataAccessException e) {
                // The database is down, or not PostgreSQL: the gate says it could not look.
            }
        }
        List<Gate> gates = gates(settings, capabilities, unrouted, service, crossings);
        List<String> failed = gates.stream().filter(gate -> !gate.passed()).map(gate -> gate.name() + ": " + gate.detail())
                .toList();
        String verdict = failed.isEmpty() ? "ready to cut over" : "not ready: " + String.join("; ", failed);
        return new ReadinessReport(name, failed.isEmpty(), verdict, structure.dependsOn(), structure.usedBy(),
                structure.publishes(), structure.listensTo(), tables, crossings == null ? List.of() : crossings,
                calls("to", name, "from"),
                calls("from", name, "to"), gates);
    }

    private List<Gate> gates(ControlRoomProperties.@Nullable Module settings, List<Capability> capabilities,
            List<String> unrouted, ModuleView.@Nullable Service service, @Nullable List<String> crossings) {
        List<Gate> gates = new ArrayList<>();
        if (settings == null || service == null) {
            gates.add(new Gate("extracted service", false,
                    "none configured (ficus.control-room.modules.<module>.service-url)"));
            return gates;
        }
        ControlRoomProperties.Readiness bounds = properties.readiness();
        if (!unrouted.isEmpty()) {
            gates.add(new Gate("capabilities routed", false, String.join(", ", unrouted)
                    + " configured here, but no router has it (ficus.routing.capabilities)"));
        }
        String contract = settings.contract();
        gates.add(new Gate("contract suite", contract != null && ClassUtils.isPresent(contract, null),
                contract == null ? "none configured" : contract
                        + (ClassUtils.isPresent(contract, null) ? "" : " is not on the classpath")));
        gates.add(new Gate("no foreign key or view across schemas", crossings != null && crossings.isEmpty(),
                crossings == null ? "unknown: the database could not be asked"
                        : crossings.isEmpty() ? "none" : String.join(", ", crossings)));
        Duration age = Duration.between(service.seenAt(), Instant.now());
        Duration tooOld = properties.refreshInterval().multipliedBy(3).plus(properties.serviceTimeout());
        if (service.error() == null && age.compareTo(tooOld) > 0) {
            gates.add(new Gate("service's status current", false, "last fetched " + age.toSeconds()
                    + " s ago; it should come every " + properties.refreshInterval().toMillis() + " ms"));
        }
        gates.add(replicationGate(service, bounds.maximumStaleness()));
        for (Capability capability : capabilities) {
            if (!capability.writes()) {
                gates.add(shadowGate(capability, bounds));
            }
        }
        ModuleView.Reconciliation last = service.lastReconciliation();
        gates.add(new Gate("reconciliation clean", last != null && last.mismatches() == 0 && last.streamCaughtUp(),
                last == null ? "none since the service started"
                        : last.mismatches() + " rows differ (" + last.startedAt() + ")"
                                + (last.streamCaughtUp() ? "" : ", the stream had not caught up")));
        gates.add(new Gate("no dead letters", service.error() == null && service.pendingDeadLetters() == 0,
                service.error() != null ? "unknown: " + service.error()
                        : service.pendingDeadLetters() + " pending in the service"));
        long fallbacks = capabilities.stream().mapToLong(Capability::fallbacks).sum();
        gates.add(new Gate("fallback exercised", fallbacks > 0,
                fallbacks + " calls answered by the module when the service could not, since this instance started"));
        return gates;
    }

    private static Gate replicationGate(ModuleView.Service service, Duration bound) {
        if (service.error() != null) {
            return new Gate("replication under its bound", false, service.name() + " did not answer: " + service.error());
        }
        Duration staleness = service.staleness();
        boolean owned = "WRITES_MOVED".equals(service.phase());
        boolean passed = owned || staleness != null && staleness.compareTo(bound) <= 0;
        String detail = owned ? "writes moved to the service" : staleness == null ? "staleness not known yet"
                : "stale by at most " + staleness.toMillis() + " ms (bound " + bound.toMillis() + " ms)";
        return new Gate("replication under its bound", passed, detail);
    }

    private static Gate shadowGate(Capability capability, ControlRoomProperties.Readiness bounds) {
        long compared = capability.shadowMatches() + capability.shadowMismatches();
        Double percent = capability.matchPercent();
        boolean passed = compared >= bounds.minimumShadowCalls() && percent != null
                && percent >= bounds.minimumMatchPercent();
        String detail = String.format("%s: %d of %d matched (%s); needs ≥ %s %% over ≥ %d", capability.name(),
                capability.shadowMatches(), compared, percent == null ? "none compared" : String.format("%.2f %%", percent),
                bounds.minimumMatchPercent(), bounds.minimumShadowCalls());
        return new Gate("shadow match rate", passed, detail);
    }

    private Map<String, Long> calls(String side, String module, String other) {
        Map<String, Long> calls = new TreeMap<>();
        for (Counter counter : meters.find(ModuleCalls.METER).tag(side, module).counters()) {
            String peer = counter.getId().getTag(other);
            if (peer != null && !peer.equals(module)) {
                calls.merge(peer, (long) counter.count(), Long::sum);
            }
        }
        return calls;
    }

    /** The caches, from their meters: Caffeine's hits and misses, and the toolkit's bypasses. */
    public List<CacheView> caches() {
        Map<String, long[]> byCache = new LinkedHashMap<>();
        for (FunctionCounter gets : meters.find("cache.gets").functionCounters()) {
            String cache = gets.getId().getTag("cache");
            String result = gets.getId().getTag("result");
            if (cache != null && result != null) {
                long[] counts = byCache.computeIfAbsent(cache, name -> new long[2]);
                counts["hit".equals(result) ? 0 : 1] += (long) gets.count();
            }
        }
        List<CacheView> caches = new ArrayList<>();
        byCache.forEach((cache, counts) -> {
            long bypasses = (long) meters.find("ficus.cache.bypasses").tag("cache", cache).counters().stream()
                    .mapToDouble(Counter::count).sum();
            long total = counts[0] + counts[1];
            caches.add(new CacheView(cache, counts[0], counts[1], total == 0 ? null : 100.0 * counts[0] / total,
                    bypasses));
        });
        return caches;
    }

    /**
     * Each consumer's dead letters, as the broker last said (asked in the background by the
     * messaging toolkit, {@code ficus.messaging.dead.letters}); null where it could not be asked.
     */
    public Map<String, @Nullable Long> eventDeadLetters() {
        Map<String, @Nullable Long> counts = new TreeMap<>();
        for (Gauge gauge : meters.find("ficus.messaging.dead.letters").gauges()) {
            String consumer = gauge.getId().getTag("consumer");
            if (consumer != null) {
                double value = gauge.value();
                counts.put(consumer, Double.isNaN(value) ? null : (long) value);
            }
        }
        return counts;
    }

    /** How long ago the caches last knew they were fresh (the change stream's heartbeat); null without one. */
    public @Nullable Double cacheKnowledgeAgeSeconds() {
        Gauge age = meters.find("ficus.cache.knowledge.age").gauge();
        return age == null ? null : age.value();
    }

    /** @param hitPercent null before the first read */
    public record CacheView(String name, long hits, long misses, @Nullable Double hitPercent, long bypasses) {
    }
}
