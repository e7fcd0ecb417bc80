package dev.ficus.toolkit.moduleschemas;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * The class path of another application: its {@code db/migration} comes from
 * {@code apps/<application>/} in the test resources, everything else from the tests' class path.
 */
final class ApplicationClassPath extends URLClassLoader {

    private ApplicationClassPath(URL... folders) {
        super(folders, ApplicationClassPath.class.getClassLoader());
    }

    /**
     * An application whose migrations are in {@code apps/<application>/db/migration}, and in
     * {@code db/migration} below each of {@code moreFolders}.
     */
    static ApplicationClassPath of(String application, Path... moreFolders) {
        URL folder = ApplicationClassPath.class.getClassLoader().getResource("apps/" + application + "/");
        if (folder == null) {
            throw new IllegalArgumentException("No test application " + application);
        }
        List<URL> folders = new ArrayList<>(List.of(folder));
        for (Path more : moreFolders) {
            try {
                folders.add(more.toUri().toURL());
            }
            catch (MalformedURLException e) {
                throw new IllegalArgumentException(e);
            }
        }
        return new ApplicationClassPath(folders.toArray(URL[]::new));
    }

    /** An application without migrations. */
    static ApplicationClassPath withoutMigrations() {
        return new ApplicationClassPath();
    }

    @Override
    public URL getResource(String name) {
        return migrations(name) ? findResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return migrations(name) ? findResources(name) : super.getResources(name);
    }

    private static boolean migrations(String name) {
        return (name.startsWith("/") ? name.substring(1) : name).startsWith("db/migration");
    }
}
