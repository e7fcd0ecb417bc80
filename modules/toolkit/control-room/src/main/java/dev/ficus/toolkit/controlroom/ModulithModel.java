package dev.ficus.toolkit.controlroom;

import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import com.tngtech.archunit.core.domain.JavaClass;
import org.jspecify.annotations.Nullable;

import org.springframework.modulith.core.ApplicationModule;
import org.springframework.modulith.core.ApplicationModules;
import org.springframework.modulith.core.EventType;
import org.springframework.util.function.SingletonSupplier;

/** The module structure from Spring Modulith's model of the application, worked out once, when first asked. */
final class ModulithModel implements ModuleModel {

    private final Supplier<Map<String, Structure>> structure;
    /** Each module's base package (with a trailing dot) and the module's name, the longest first. */
    private final Supplier<List<Map.Entry<String, String>>> packages;
    private final Map<String, String> byClass = new ConcurrentHashMap<>();

    ModulithModel(Supplier<ApplicationModules> modules) {
        this.structure = SingletonSupplier.of(() -> structure(modules.get()));
        this.packages = SingletonSupplier.of(() -> modules.get().stream()
                .map(module -> Map.entry(module.getBasePackage().getName() + ".", module.getName()))
                .sorted(Comparator.comparing((Map.Entry<String, String> entry) -> entry.getKey().length()).reversed())
                .toList());
    }

    @Override
    public Map<String, Structure> modules() {
        return structure.get();
    }

    @Override
    public @Nullable String moduleOf(String className) {
        String module = byClass.computeIfAbsent(className, name -> packages.get().stream()
                .filter(entry -> name.startsWith(entry.getKey())).map(Map.Entry::getValue).findFirst().orElse(""));
        return module.isEmpty() ? null : module;
    }

    private static Map<String, Structure> structure(ApplicationModules modules) {
        List<ApplicationModule> all = modules.stream().sorted(Comparator.comparing(ApplicationModule::getName)).toList();
        Map<String, Structure> structure = new LinkedHashMap<>();
        for (ApplicationModule module : all) {
            List<String> dependsOn = dependencies(module, modules);
            List<String> usedBy = all.stream().filter(other -> dependencies(other, modules).contains(module.getName()))
                    .map(ApplicationModule::getName).toList();
            List<String> publishes = module.getPublishedEvents().stream().map(EventType::getType)
                    .map(JavaClass::getSimpleName).distinct().sorted().toList();
            List<String> listensTo = module.getEventsListenedTo(modules).stream().map(JavaClass::getSimpleName)
                    .distinct().sorted().toList();
            structure.put(module.getName(), new Structure(dependsOn, usedBy, publishes, listensTo));
        }
        return structure;
    }

    private static List<String> dependencies(ApplicationModule module, ApplicationModules modules) {
        return module.getDirectDependencies(modules).uniqueModules().map(ApplicationModule::getName)
                .filter(name -> !name.equals(module.getName())).distinct().sorted().toList();
    }
}
