package dev.ficus.architecture;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.Resource;
import org.springframework.core.io.support.PathMatchingResourcePatternResolver;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The toolkit runs inside other teams' applications, which may be on Java 17 (as Spring Boot 4
 * allows): every class of every toolkit jar must be Java 17 bytecode, or such an application
 * fails at start with {@code UnsupportedClassVersionError}. The shop and the services may be newer.
 */
class ToolkitBytecodeTest {

    /** Class file major version of Java 17. */
    private static final int JAVA_17 = 61;

    @Test
    void everyToolkitClassRunsOnJava17() throws IOException {
        Resource[] classes = new PathMatchingResourcePatternResolver()
                .getResources("classpath*:dev/ficus/toolkit/**/*.class");
        List<String> tooNew = new ArrayList<>();
        Set<String> packages = new TreeSet<>();
        for (Resource type : classes) {
            String url = type.getURL().toString();
            packages.add(url.substring(url.indexOf("dev/ficus/toolkit/"), url.lastIndexOf('/')));
            int major = majorVersion(type);
            if (major > JAVA_17) {
                tooNew.add(url + " (class file version " + major + ")");
            }
        }
        assertThat(packages).as("toolkit packages on the class path").contains("dev/ficus/toolkit/cache",
                "dev/ficus/toolkit/cdc", "dev/ficus/toolkit/embeddedpostgres", "dev/ficus/toolkit/faultproxy",
                "dev/ficus/toolkit/moduleschemas", "dev/ficus/toolkit/problems", "dev/ficus/toolkit/replication",
                "dev/ficus/toolkit/routing", "dev/ficus/toolkit/limits", "dev/ficus/toolkit/messaging",
                "dev/ficus/toolkit/operations");
        assertThat(tooNew).as("toolkit classes newer than Java 17 bytecode").isEmpty();
    }

    /** The check sees a class compiled for a newer Java: this test's own, which targets Java 21. */
    @Test
    void aClassCompiledForANewerJavaIsCaught() throws IOException {
        Resource self = new PathMatchingResourcePatternResolver()
                .getResource("classpath:" + getClass().getName().replace('.', '/') + ".class");
        assertThat(majorVersion(self)).isGreaterThan(JAVA_17);
    }

    private static int majorVersion(Resource type) throws IOException {
        try (InputStream in = type.getInputStream(); DataInputStream data = new DataInputStream(in)) {
            if (data.readInt() != 0xCAFEBABE) {
                throw new IOException(type + " is not a class file");
            }
            data.readUnsignedShort();
            return data.readUnsignedShort();
        }
    }
}
