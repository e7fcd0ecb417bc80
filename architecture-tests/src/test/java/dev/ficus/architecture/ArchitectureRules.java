package dev.ficus.architecture;

import static com.tngtech.archunit.core.domain.properties.CanBeAnnotated.Predicates.annotatedWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingFilterBean;
import org.springframework.context.annotation.Bean;
import org.springframework.data.relational.core.mapping.Table;
import org.springframework.data.repository.Repository;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.properties.CanBeAnnotated;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

/**
 * The architecture rules of the shop and the toolkit. Every rule takes the packages it guards as
 * parameters, so the same rule runs against the real code and against deliberately broken fixtures.
 *
 * <p>A <em>module</em> is a package directly below the base package ({@code <base>.orders}); its
 * database schema carries the same name.
 */
final class ArchitectureRules {

    private ArchitectureRules() {
    }

    static ArchRule noPackageCycles(String basePackage) {
        return slices().matching(basePackage + ".(**)")
                .should().beFreeOfCycles()
                .because("packages that depend on each other in a circle can only change, and move, together");
    }

    static ArchRule repositoriesAreNotPublic(String basePackage) {
        return classes().that().resideInAPackage(basePackage + "..")
                .and().areAssignableTo(Repository.class)
                .should().notBePublic()
                .because("a module's tables are reached through its API, never through its repositories");
    }

    static ArchRule entitiesAreNotPublic(String basePackage) {
        return classes().that().resideInAPackage(basePackage + "..")
                .and().areAnnotatedWith(Table.class)
                .should().notBePublic()
                .because("table mappings are a module's implementation detail; its API speaks in records");
    }

    static ArchRule webAdaptersAreNotPublic(String basePackage) {
        return classes().that().resideInAPackage(basePackage + "..")
                .and(webAdapters())
                .should().notBePublic()
                .because("controllers and their advice are found by component scanning, never called from code");
    }

    /** (a) of "no module touches another module's schema": what Spring Data maps. */
    static ArchRule entitiesMapTheirOwnModulesSchema(String basePackage) {
        return classes().that().resideInAPackage(basePackage + "..")
                .and().areAnnotatedWith(Table.class)
                .should(mapATableInTheirModulesSchema(basePackage))
                .because("each module owns the schema named like it and no other");
    }

    /** (b) of "no module touches another module's schema": the SQL written in strings. */
    static ArchRule sqlStaysInItsModulesSchema(String basePackage) {
        return classes().that(belongToAModuleUnder(basePackage))
                .should(notMentionAnotherModulesSchema(basePackage))
                .because("a module that reads another module's tables breaks as soon as that module is extracted");
    }

    static ArchRule toolkitNeverDependsOnShop(String toolkitPackage, String shopPackage) {
        return noClasses().that().resideInAPackage(toolkitPackage + "..")
                .should().dependOnClassesThat().resideInAPackage(shopPackage + "..")
                .because("the toolkit must fit any monolith, so it cannot know this one");
    }

    /**
     * Every bean an auto-configuration under {@code toolkitPackage} defines backs off for the
     * application's own: a team that drops the toolkit in keeps the last word on each bean.
     */
    static ArchRule autoConfiguredBeansBackOff(String toolkitPackage) {
        return methods().that().areAnnotatedWith(Bean.class)
                .and().areDeclaredInClassesThat().resideInAPackage(toolkitPackage + "..")
                .should().beAnnotatedWith(ConditionalOnMissingBean.class)
                .orShould().beAnnotatedWith(ConditionalOnMissingFilterBean.class)
                .because("an application adopting the toolkit must be able to replace any bean it defines");
    }

    /** The modules under {@code basePackage} that have at least one of {@code classes}. */
    static Set<String> modulesUnder(String basePackage, Collection<JavaClass> classes) {
        Set<String> modules = new TreeSet<>();
        classes.forEach(javaClass -> moduleOf(javaClass, basePackage).ifPresent(modules::add));
        return modules;
    }

    static Optional<String> moduleOf(JavaClass javaClass, String basePackage) {
        String packageName = javaClass.getPackageName();
        if (!packageName.startsWith(basePackage + ".")) {
            return Optional.empty();
        }
        String below = packageName.substring(basePackage.length() + 1);
        int dot = below.indexOf('.');
        return Optional.of(dot < 0 ? below : below.substring(0, dot));
    }

    private static DescribedPredicate<CanBeAnnotated> webAdapters() {
        return annotatedWith(Controller.class)
                .or(annotatedWith(RestController.class))
                .or(annotatedWith(ControllerAdvice.class))
                .or(annotatedWith(RestControllerAdvice.class))
                .as("are web adapters (controllers or controller advice)");
    }

    private static DescribedPredicate<JavaClass> belongToAModuleUnder(String basePackage) {
        return DescribedPredicate.describe("belong to a module under " + basePackage,
                javaClass -> moduleOf(javaClass, basePackage).isPresent());
    }

    private static ArchCondition<JavaClass> mapATableInTheirModulesSchema(String basePackage) {
        return new ArchCondition<>("map a table in their own module's schema") {
            @Override
            public void check(JavaClass entity, ConditionEvents events) {
                String schema = entity.getAnnotationOfType(Table.class.getName()).get("schema")
                        .map(String.class::cast).orElse("");
                Optional<String> module = moduleOf(entity, basePackage);
                if (module.isEmpty()) {
                    events.add(SimpleConditionEvent.violated(entity, "Class <%s> maps a table but belongs to no module"
                            .formatted(entity.getName())));
                }
                else if (!schema.equals(module.get())) {
                    String mapped = schema.isEmpty() ? "no schema (the connection's default)" : "schema '" + schema + "'";
                    events.add(SimpleConditionEvent.violated(entity, "Class <%s> of module %s maps %s instead of '%s'"
                            .formatted(entity.getName(), module.get(), mapped, module.get())));
                }
                else {
                    events.add(SimpleConditionEvent.satisfied(entity, entity.getName() + " maps its own schema"));
                }
            }
        };
    }

    private static ArchCondition<JavaClass> notMentionAnotherModulesSchema(String basePackage) {
        return new ArchCondition<>("not mention another module's schema in string constants") {

            private final Map<String, SchemaReferences> foreignSchemasByModule = new HashMap<>();

            @Override
            public void init(Collection<JavaClass> allClasses) {
                Set<String> modules = modulesUnder(basePackage, allClasses);
                for (String module : modules) {
                    Set<String> others = new TreeSet<>(modules);
                    others.remove(module);
                    foreignSchemasByModule.put(module, SchemaReferences.to(others));
                }
            }

            @Override
            public void check(JavaClass javaClass, ConditionEvents events) {
                String module = moduleOf(javaClass, basePackage).orElseThrow();
                SchemaReferences foreignSchemas = foreignSchemasByModule.get(module);
                for (String constant : StringConstants.of(javaClass)) {
                    List<String> references = foreignSchemas.findIn(constant);
                    if (!references.isEmpty()) {
                        events.add(SimpleConditionEvent.violated(javaClass,
                                "Class <%s> of module %s mentions %s in \"%s\"".formatted(javaClass.getName(),
                                        module, String.join(", ", references), abbreviated(constant))));
                    }
                }
            }
        };
    }

    /** One line, so that a frozen violation is stored as one line. */
    private static String abbreviated(String constant) {
        // U+0001 marks where a string concatenation inserts a value.
        String oneLine = constant.replace("\u0001", "{}").replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 120 ? oneLine : oneLine.substring(0, 117) + "...";
    }
}
