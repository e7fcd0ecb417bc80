package dev.ficus.shop;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * Stands in for the shop application in a bounded context's own tests, where the real one
 * (in {@code app}) is not on the class path. It sits in the same base package, so Spring
 * Modulith sees the same application modules, and {@code @ApplicationModuleTest} boots only the
 * module under test (and, if asked, its direct dependencies).
 */
@SpringBootApplication
public class ModuleTestApplication {
}
