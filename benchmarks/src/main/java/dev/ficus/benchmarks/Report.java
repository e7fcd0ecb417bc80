package dev.ficus.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** A benchmark's result: rows of figures, the targets they are held against, and the machine. */
final class Report {

    record Row(String what, Map<String, Object> figures) {
    }

    record Target(String what, String target, String measured, boolean met) {
    }

    private final String name;
    private final List<Row> rows = new ArrayList<>();
    private final List<Target> targets = new ArrayList<>();

    Report(String name) {
        this.name = name;
    }

    void row(String what, Map<String, Object> figures) {
        rows.add(new Row(what, figures));
    }

    void target(String what, String target, String measured, boolean met) {
        targets.add(new Target(what, target, measured, met));
    }

    void print(PrintStream out) {
        out.println();
        out.println("## " + name + " (" + Runtime.getRuntime().availableProcessors() + " cores, Java "
                + Runtime.version() + ")");
        out.println();
        List<String> columns = rows.stream().flatMap(row -> row.figures().keySet().stream()).distinct().toList();
        out.println("| what | " + String.join(" | ", columns) + " |");
        out.println("| --- |" + " ---: |".repeat(columns.size()));
        for (Row row : rows) {
            out.println("| " + row.what() + " | " + String.join(" | ", columns.stream()
                    .map(column -> String.valueOf(row.figures().getOrDefault(column, ""))).toList()) + " |");
        }
        out.println();
        out.println("| target | aim | measured | met |");
        out.println("| --- | --- | --- | --- |");
        for (Target target : targets) {
            out.println("| " + target.what() + " | " + target.target() + " | " + target.measured() + " | "
                    + (target.met() ? "yes" : "NO") + " |");
        }
        out.println();
    }

    void writeJson(Path file) throws IOException {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("benchmark", name);
        json.put("at", Instant.now().toString());
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("java", Runtime.version().toString());
        json.put("rows", rows);
        json.put("targets", targets);
        if (file.getParent() != null) {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                .writeValueAsString(json));
    }
}
