package dev.ficus.toolkit.controlroom;

import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.jspecify.annotations.Nullable;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.servlet.FlashMap;
import org.springframework.web.servlet.support.RequestContextUtils;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

/**
 * The page, the readiness report as JSON, and the actions. An action answers with a redirect to
 * the page, which says what it did (or why the service refused); an unknown module or phase is a
 * 404 or 400 problem.
 */
@Controller
@RequestMapping("${management.endpoints.web.base-path:/actuator}/control-room")
class ControlRoomController {

    private static final Pattern PHASE = Pattern.compile("[A-Z_]{1,40}");
    private static final int DEAD_LETTERS_SHOWN = 20;
    private static final int OUTCOME_LENGTH = 500;

    private final ControlRoom room;
    private final ServiceWatch services;
    private final ControlRoomProperties properties;
    private final ObjectProvider<StreamDeadLetters> deadLetters;
    private final ObjectProvider<EventReplays> eventReplays;
    private final String page;

    ControlRoomController(ControlRoom room, ServiceWatch services, ControlRoomProperties properties,
            ObjectProvider<StreamDeadLetters> deadLetters, ObjectProvider<EventReplays> eventReplays,
            @Value("${management.endpoints.web.base-path:/actuator}") String basePath) {
        this.eventReplays = eventReplays;
        this.page = basePath + "/control-room";
        this.room = room;
        this.services = services;
        this.properties = properties;
        this.deadLetters = deadLetters;
    }

    /** The page; {@code outcome}, what the last action did, comes as a flash attribute of the session. */
    @GetMapping(produces = MediaType.TEXT_HTML_VALUE)
    String page(Model model) {
        StreamDeadLetters local = deadLetters.getIfUnique();
        model.addAttribute("modules", room.modules());
        model.addAttribute("caches", room.caches());
        model.addAttribute("cacheKnowledgeAge", room.cacheKnowledgeAgeSeconds());
        model.addAttribute("deadLettersPending", local == null ? null : local.pending());
        model.addAttribute("deadLetters", local == null ? List.of() : local.oldest(DEAD_LETTERS_SHOWN));
        model.addAttribute("eventDeadLetters", room.eventDeadLetters());
        model.addAttribute("flagServer", properties.flagServer());
        model.addAttribute("now", Instant.now());
        return "ficus/control-room";
    }

    @GetMapping(path = "/readiness", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    List<ReadinessReport> readiness() {
        return room.modules().stream().map(ModuleView::readiness).toList();
    }

    @GetMapping(path = "/readiness/{module}", produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseBody
    ResponseEntity<?> readiness(@PathVariable String module) {
        if (!room.knows(module)) {
            return unknownModule(module);
        }
        return room.module(module).<ResponseEntity<?>>map(found -> ResponseEntity.ok(found.readiness()))
                .orElseGet(() -> unknownModule(module));
    }

    @PostMapping("/modules/{module}/dead-letters")
    ResponseEntity<?> replay(@PathVariable String module, HttpServletRequest request, HttpServletResponse response) {
        return onService(module, "dead-letters", "{}", "Dead letters of " + module + "'s service replayed",
                request, response);
    }

    @PostMapping("/modules/{module}/reconciliations")
    ResponseEntity<?> reconcile(@PathVariable String module, HttpServletRequest request,
            HttpServletResponse response) {
        return onService(module, "reconciliations", "{}", module + "'s service reconciled", request, response);
    }

    @PostMapping("/modules/{module}/phase")
    ResponseEntity<?> switchPhase(@PathVariable String module, @RequestParam(required = false) @Nullable String phase,
            HttpServletRequest request, HttpServletResponse response) {
        if (phase == null || !PHASE.matcher(phase).matches()) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST,
                    "Name the phase to switch to, as READ_COPY or WRITES_MOVED");
            problem.setTitle("Invalid input");
            return problem(problem);
        }
        return onService(module, "phase", "{\"phase\":\"" + phase + "\"}", module + "'s service switched to " + phase,
                request, response);
    }

    @PostMapping("/dead-letters")
    ResponseEntity<?> replayHere(HttpServletRequest request, HttpServletResponse response) {
        StreamDeadLetters local = deadLetters.getIfUnique();
        if (local == null) {
            return back("This application has no change stream, hence no dead letters", request, response);
        }
        return back(attempt(local::replayAll, "The change stream's dead letters could not be replayed"), request,
                response);
    }

    @PostMapping("/events/{consumer}/dead-letters")
    ResponseEntity<?> replayEvents(@PathVariable String consumer, HttpServletRequest request,
            HttpServletResponse response) {
        EventReplays replays = eventReplays.getIfUnique();
        if (replays == null || !room.eventDeadLetters().containsKey(consumer)) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                    "This application has no consumer of events named " + consumer);
            problem.setTitle("No such consumer");
            return problem(problem);
        }
        return back(attempt(() -> replays.replay(consumer), "Dead letters of " + consumer + " could not be replayed"),
                request, response);
    }

    private ResponseEntity<?> onService(String module, String part, String body, String done,
            HttpServletRequest request, HttpServletResponse response) {
        if (!room.knows(module) || properties.modules().get(module) == null
                || properties.modules().get(module).serviceUrl() == null) {
            return unknownModule(module);
        }
        String outcome;
        try {
            services.act(module, part, body);
            outcome = done;
        }
        catch (RestClientResponseException e) {
            outcome = "Refused by " + module + "'s service (" + e.getStatusCode().value() + "): "
                    + e.getResponseBodyAsString();
        }
        catch (RestClientException e) {
            outcome = module + "'s service could not be reached: " + ServiceWatch.reason(e);
        }
        catch (RuntimeException e) {
            outcome = module + "'s service answered what the room cannot read: " + e.getMessage();
        }
        return back(outcome, request, response);
    }

    /** What an action did, or why it could not (a broker or a stream that is not there): shown on the page, never a 500. */
    private static String attempt(Supplier<String> action, String failed) {
        try {
            return action.get();
        }
        catch (RuntimeException e) {
            return failed + ": " + e.getMessage();
        }
    }

    /**
     * Post, redirect, get: the page shows what the action did once (a flash attribute, kept in the
     * session until the next page), and a reload does not repeat the action.
     */
    private ResponseEntity<?> back(String outcome, HttpServletRequest request, HttpServletResponse response) {
        String page = ServletUriComponentsBuilder.fromContextPath(request).path(this.page).build().getPath();
        FlashMap flash = RequestContextUtils.getOutputFlashMap(request);
        flash.put("outcome", outcome.length() <= OUTCOME_LENGTH ? outcome : outcome.substring(0, OUTCOME_LENGTH) + " …");
        RequestContextUtils.saveOutputFlashMap(page, request, response);
        return ResponseEntity.status(HttpStatus.SEE_OTHER).location(URI.create(page)).build();
    }

    private static ResponseEntity<?> unknownModule(String module) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.NOT_FOUND,
                "No module named " + module + " has an extracted service here");
        problem.setTitle("No such module");
        return problem(problem);
    }

    private static ResponseEntity<?> problem(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }
}
