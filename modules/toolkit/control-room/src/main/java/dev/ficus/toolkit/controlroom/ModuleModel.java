package dev.ficus.toolkit.controlroom;

import java.util.List;
import java.util.Map;

import org.jspecify.annotations.Nullable;

/** The structure of the monolith's modules: who depends on whom, and the events they exchange. */
interface ModuleModel {

    /** @param publishes and {@code listensTo}: event types by simple name */
    record Structure(List<String> dependsOn, List<String> usedBy, List<String> publishes, List<String> listensTo) {

        static final Structure UNKNOWN = new Structure(List.of(), List.of(), List.of(), List.of());
    }

    /** Every module, by name, in a stable order. */
    Map<String, Structure> modules();

    /** The module a class belongs to, by its package; null for a class of no module (a library's, say). */
    @Nullable String moduleOf(String className);

    /** Without a model of the modules (no Spring Modulith): only the configured modules, and nothing of their structure. */
    ModuleModel NONE = new ModuleModel() {

        @Override
        public Map<String, Structure> modules() {
            return Map.of();
        }

        @Override
        public @Nullable String moduleOf(String className) {
            return null;
        }
    };
}
