package dev.ficus.toolkit.routing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.servlet.http.Cookie;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ApplicationContext;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import dev.ficus.toolkit.routing.RoutingTests.Greeter;
import dev.ficus.toolkit.routing.RoutingTests.Greetings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.http.HttpHeaders.SET_COOKIE;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

/**
 * Who a call is for, as the default call context reads it from the HTTP request being served: the
 * cookie that gives an anonymous caller a stable identity, the principal over the user header,
 * long ids hashed, the background caller, the memory remembered decisions take, and the share of a
 * canary among distinct anonymous callers behind one address.
 */
class CallerIdentityTests {

    private static final String COOKIE = "ficus-routing-id";

    private final Greeter module = new Greeter("module");
    private final Greeter service = new Greeter("service");

    interface RoutedTest {

        void accept(Routed routed) throws Exception;
    }

    record Routed(Greetings greetings, Routers routers, CallContext context, ApplicationContext application) {

        /** Greets while serving this request, answering into this response. */
        String greetDuring(MockHttpServletRequest request, MockHttpServletResponse response) {
            RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request, response));
            try {
                return greetings.greet("x");
            }
            finally {
                RequestContextHolder.resetRequestAttributes();
            }
        }

        Caller callerOf(MockHttpServletRequest request) {
            RequestContextHolder.setRequestAttributes(new ServletRequestAttributes(request,
                    new MockHttpServletResponse()));
            try {
                return context.current();
            }
            finally {
                RequestContextHolder.resetRequestAttributes();
            }
        }

        Route routeOf(Caller caller) {
            return routers.routeFor("greetings", caller);
        }
    }

    private void withRouter(String flags, RoutedTest test, String... properties) {
        service.text = "service";
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RoutingAutoConfiguration.class))
                .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
                .withPropertyValues(
                        "ficus.routing.flags.bootstrap=classpath:flags/" + flags,
                        "ficus.routing.capabilities.greetings.methods=greet,find",
                        "ficus.routing.capabilities.renames.methods=rename",
                        "ficus.routing.capabilities.renames.writes=true")
                .withPropertyValues(properties)
                .run(context -> {
                    Routers routers = context.getBean(Routers.class);
                    test.accept(new Routed(routers.route(Greetings.class, module, service), routers,
                            context.getBean(CallContext.class), context));
                });
    }

    private static MockHttpServletRequest request(Cookie... cookies) {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/greet");
        if (cookies.length > 0) {
            request.setCookies(cookies);
        }
        return request;
    }

    /** The id in the routing cookie the response sets, or null if it sets none. */
    private static String issuedId(MockHttpServletResponse response) {
        List<String> cookies = response.getHeaders(SET_COOKIE);
        assertThat(cookies).as("at most one routing cookie per response").hasSizeLessThanOrEqualTo(1);
        if (cookies.isEmpty()) {
            return null;
        }
        String cookie = cookies.getFirst();
        assertThat(cookie).startsWith(COOKIE + "=");
        return cookie.substring(COOKIE.length() + 1, cookie.indexOf(';'));
    }

    @Test
    void anAnonymousCallerGetsARandomIdInACookieOnFirstContactAndIsKnownByItAfterwards() {
        withRouter("canary-25.json", routed -> {
            MockHttpServletRequest first = request();
            MockHttpServletResponse response = new MockHttpServletResponse();
            String answer = routed.greetDuring(first, response);
            assertThat(routed.greetDuring(first, response)).as("a second call of the same request").isEqualTo(answer);
            assertThat(response.getHeaders(SET_COOKIE)).as("issued once per request").hasSize(1);
            assertThat(response.getHeader(SET_COOKIE))
                    .contains("; Path=/", "; Max-Age=31536000", "; HttpOnly", "; SameSite=Lax")
                    .doesNotContain("Secure");
            String id = issuedId(response);
            assertThat(id).matches("[A-Za-z0-9_-]{22}");

            MockHttpServletRequest later = request(new Cookie(COOKIE, id));
            MockHttpServletResponse laterResponse = new MockHttpServletResponse();
            assertThat(routed.greetDuring(later, laterResponse)).isEqualTo(answer);
            assertThat(issuedId(laterResponse)).as("a known caller gets no new id").isNull();
            Caller caller = routed.callerOf(later);
            assertThat(caller.sessionId()).isEqualTo(id);
            assertThat(caller.userId()).isNull();
            assertThat(routed.routeOf(caller)).isEqualTo(answer.startsWith("service") ? Route.EXTRACTED : Route.MONOLITH);

            MockHttpServletRequest secure = request();
            secure.setSecure(true);
            MockHttpServletResponse secureResponse = new MockHttpServletResponse();
            routed.greetDuring(secure, secureResponse);
            assertThat(secureResponse.getHeader(SET_COOKIE)).contains("; Secure");
        });
    }

    @Test
    void aCookieThatIsNotAnIssuedIdIsIgnoredAndReplaced() {
        withRouter("canary-25.json", routed -> {
            for (String garbage : List.of("", "short", "A".repeat(21), "A".repeat(23), "AAAAAAAAAAAAAAAAAAAAA!",
                    "../../../etc/passwd", "x".repeat(7000), "ünïcödé-ünïcödé-ünïcö")) {
                MockHttpServletResponse response = new MockHttpServletResponse();
                routed.greetDuring(request(new Cookie(COOKIE, garbage)), response);
                String id = issuedId(response);
                assertThat(id).as("replaced: '%s'", garbage).isNotNull().matches("[A-Za-z0-9_-]{22}");
                assertThat(routed.callerOf(request(new Cookie(COOKIE, garbage), new Cookie(COOKIE, id))).sessionId())
                        .as("the valid one of two").isEqualTo(id);
            }
            String valid = "AbCdEfGhIjKlMnOpQrSt_-";
            assertThat(routed.callerOf(request(new Cookie("other", "x"), new Cookie(COOKIE, valid))).sessionId())
                    .isEqualTo(valid);
        });
    }

    @Test
    void aCallerNamedByAUserOrASessionGetsNoCookie() {
        withRouter("canary-25.json", routed -> {
            MockHttpServletRequest user = request();
            user.addHeader("X-User-Id", "ada");
            MockHttpServletResponse response = new MockHttpServletResponse();
            routed.greetDuring(user, response);
            assertThat(issuedId(response)).isNull();
            assertThat(routed.callerOf(user)).isEqualTo(new Caller("ada", null, "127.0.0.1"));

            MockHttpServletRequest session = request();
            session.addHeader("X-Session-Id", "s-1");
            routed.greetDuring(session, response);
            assertThat(issuedId(response)).isNull();
            assertThat(routed.callerOf(session)).isEqualTo(new Caller(null, "s-1", "127.0.0.1"));

            MockHttpServletRequest blank = request();
            blank.addHeader("X-User-Id", "  ");
            blank.addHeader("X-Session-Id", "");
            routed.greetDuring(blank, response);
            assertThat(issuedId(response)).as("blank headers name no one").isNotNull();
        });
    }

    @Test
    void aResponseAlreadyCommittedGetsNoCookieButTheCallIsRouted() {
        withRouter("extracted.json", routed -> {
            MockHttpServletResponse committed = new MockHttpServletResponse();
            committed.setCommitted(true);
            assertThat(routed.greetDuring(request(), committed)).isEqualTo("service x");
            assertThat(committed.getHeaders(SET_COOKIE)).isEmpty();
        });
    }

    @Test
    void anAuthenticatedPrincipalWinsOverTheUserHeaderUnlessConfiguredOtherwise() {
        MockHttpServletRequest both = request();
        both.setUserPrincipal(() -> "alice");
        both.addHeader("X-User-Id", "mallory");
        MockHttpServletRequest headerOnly = request();
        headerOnly.addHeader("X-User-Id", "mallory");
        withRouter("none.json", routed -> {
            assertThat(routed.callerOf(both).userId()).isEqualTo("alice");
            assertThat(routed.callerOf(headerOnly).userId()).isEqualTo("mallory");
        });
        withRouter("none.json", routed -> {
            assertThat(routed.callerOf(both).userId()).isEqualTo("mallory");
            both.removeHeader("X-User-Id");
            assertThat(routed.callerOf(both).userId()).isEqualTo("alice");
        }, "ficus.routing.context.user-id-header-wins=true");
    }

    @Test
    void idsLongerThanTheLimitAreReplacedByTheirSha256InHex() throws Exception {
        String limit = "u".repeat(128);
        String over = "u".repeat(129);
        String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(over.getBytes(StandardCharsets.UTF_8)));
        assertThat(new Caller(limit, over, "10.0.0.1").identified("background", 128))
                .isEqualTo(new Caller(limit, sha256, "10.0.0.1"));
        assertThat(new Caller(over, null, null).identified("background", 200)).isEqualTo(new Caller(over, null, null));
        assertThat(new Caller(null, " ", null).identified("jobs", 128)).isEqualTo(new Caller(null, "jobs", null));

        withRouter("canary-25.json", routed -> {
            // Each long id routes as its hash does: 300 chances for one that does not to show (a
            // chance of 5 in 8 each to go the same way by luck).
            for (int i = 0; i < 300; i++) {
                String id = i + "-" + "x".repeat(7000);
                assertThat(routed.routeOf(new Caller(id, null, null)))
                        .isEqualTo(routed.routeOf(new Caller(Caller.sha256(id), null, null)));
            }
            for (int i = 0; i < 100; i++) {
                String id = i + "-" + "y".repeat(7000);
                MockHttpServletRequest huge = request();
                huge.addHeader("X-User-Id", id);
                Route hashed = routed.routeOf(new Caller(Caller.sha256(id), null, null));
                assertThat(routed.greetDuring(huge, new MockHttpServletResponse()))
                        .as("a call for a long id goes where its hash goes")
                        .startsWith(hashed == Route.EXTRACTED ? "service" : "hello");
            }
        });
        assertThatSettingIsRefused("ficus.routing.context.max-id-length=63");
    }

    private void assertThatSettingIsRefused(String property) {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(RoutingAutoConfiguration.class))
                .withPropertyValues("ficus.routing.flags.bootstrap=classpath:flags/none.json", property)
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void callsOutsideARequestAreMadeForTheBackgroundCaller() {
        withRouter("extracted.json", routed -> {
            assertThat(routed.context().current()).isEqualTo(Caller.ANONYMOUS);
            assertThat(routed.greetings().greet("x")).as("a cut-over takes background calls too").isEqualTo("service x");
        });
        Map<Route, String> backgroundIds = new HashMap<>();
        withRouter("canary-25.json", routed -> {
            Route background = routed.routeOf(new Caller(null, "background", null));
            assertThat(routed.routeOf(Caller.ANONYMOUS)).isEqualTo(background);
            String answer = routed.greetings().greet("x");
            for (int i = 0; i < 50; i++) {
                assertThat(routed.greetings().greet("x")).as("all background calls on one side").isEqualTo(answer);
            }
            assertThat(answer).startsWith(background == Route.EXTRACTED ? "service" : "hello");
            for (int i = 0; backgroundIds.size() < 2; i++) {
                backgroundIds.putIfAbsent(routed.routeOf(new Caller(null, "jobs-" + i, null)), "jobs-" + i);
            }
        });
        backgroundIds.forEach((route, id) -> withRouter("canary-25.json",
                routed -> assertThat(routed.routeOf(Caller.ANONYMOUS)).as("background id %s", id).isEqualTo(route),
                "ficus.routing.context.background-id=" + id));
    }

    @Test
    void aQuarterCanaryTakesAStickyQuarterOfDistinctAnonymousCallersBehindOneAddress() {
        int callers = 4000;
        Map<String, String> answers = new LinkedHashMap<>();
        withRouter("canary-25.json", routed -> {
            for (int i = 0; i < callers; i++) {
                MockHttpServletResponse response = new MockHttpServletResponse();
                String answer = routed.greetDuring(request(), response);
                answers.put(issuedId(response), answer);
            }
            assertThat(answers).as("a distinct id for each").hasSize(callers).doesNotContainKey(null);
            answers.forEach((id, answer) -> assertThat(routed.greetDuring(request(new Cookie(COOKIE, id)),
                    new MockHttpServletResponse())).as("caller %s again", id).isEqualTo(answer));
        });
        long toService = answers.values().stream().filter(answer -> answer.startsWith("service")).count();
        assertThat(toService / (double) callers).isBetween(0.22, 0.28);
        withRouter("canary-25.json", other -> answers.forEach((id, answer) -> assertThat(other.greetDuring(
                request(new Cookie(COOKIE, id)), new MockHttpServletResponse()))
                .as("caller %s at another instance, which remembers no decision", id).isEqualTo(answer)),
                "ficus.routing.flags.decision-cache=0");
    }

    /** An application that adopts the router before it has a flags file: everything stays in the monolith. */
    @Test
    void withoutABootstrapFileEveryFlagIsOff() {
        try (RoutingFlags flags = new RoutingFlags(new RoutingProperties.Flags("classpath:no-such-flags.json", "", "",
                "ficus", "development", java.time.Duration.ofSeconds(5), "",
                org.springframework.util.unit.DataSize.ofMegabytes(1)),
                new org.springframework.core.io.DefaultResourceLoader())) {
            assertThat(flags.enabled("greetings.extracted", new Caller("user-1", null, null))).isFalse();
            assertThat(flags.enabled("greetings.shadow", new Caller(null, "session-1", null))).isFalse();
        }
    }

    @Test
    void rememberedDecisionsStayWithinTheirMemoryWhateverTheLengthOfTheIds() {
        withRouter("canary-25.json", routed -> {
            RoutingProperties.Flags settings = routed.application().getBean(RoutingProperties.class).flags();
            assertThat(settings.decisionCache().toMegabytes()).isEqualTo(1);
            try (RoutingFlags flags = new RoutingFlags(settings, routed.application())) {
                for (int i = 0; i < 1000; i++) {
                    flags.enabled("greetings.extracted", new Caller("user-" + i, null, "10.0.0.1"));
                }
                assertThat(flags.rememberedDecisions()).as("ordinary callers all fit").isEqualTo(1000);
                // As many distinct 7 kB ids as a client may send, even unhashed.
                for (int i = 0; i < 50_000; i++) {
                    flags.enabled("greetings.extracted", new Caller(i + "x".repeat(7000), null, "10.0.0.1"));
                }
                assertThat(flags.rememberedBytes()).isPositive().isLessThanOrEqualTo(1024 * 1024);
                assertThat(flags.rememberedDecisions()).isPositive()
                        .as("each weighs at least its id's 7,000 bytes").isLessThanOrEqualTo(1024 * 1024 / 7000);
            }
        }, "ficus.routing.flags.decision-cache=1MB");
    }

    @RestController
    static class GreetingController {

        private final Greetings greetings;

        GreetingController(Greetings greetings) {
            this.greetings = greetings;
        }

        @GetMapping("/greet")
        String greet() {
            return greetings.greet("x");
        }
    }

    @Test
    void badCallerInputNeverFailsARequest() {
        withRouter("canary-25.json", routed -> {
            MockMvc mvc = MockMvcBuilders.standaloneSetup(new GreetingController(routed.greetings())).build();
            List<MockHttpServletRequestBuilder> requests = List.of(
                    get("/greet").cookie(new Cookie(COOKIE, "x".repeat(7000))),
                    get("/greet").cookie(new Cookie(COOKIE, "")),
                    get("/greet").cookie(new Cookie(COOKIE, "\"quoted\"")),
                    get("/greet").cookie(new Cookie(COOKIE, "a"), new Cookie(COOKIE, "b")),
                    get("/greet").header("X-User-Id", "u".repeat(10_000)),
                    get("/greet").header("X-User-Id", "ünïcödé 🙂"),
                    get("/greet").header("X-Session-Id", "s".repeat(10_000)),
                    get("/greet").header("X-User-Id", "   ").header("X-Session-Id", "\t"));
            for (MockHttpServletRequestBuilder request : requests) {
                mvc.perform(request).andExpect(status().isOk());
            }
            MockHttpServletResponse replaced = mvc.perform(get("/greet").cookie(new Cookie(COOKIE, "%%%")))
                    .andExpect(status().isOk()).andReturn().getResponse();
            assertThat(issuedId(replaced)).matches("[A-Za-z0-9_-]{22}");
        });
    }
}
