package dev.ficus.toolkit.replication;

import java.util.List;
import java.util.Map;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.ficus.toolkit.cdc.DeadLetters;

/**
 * Operating a replication over HTTP. The application's security must keep {@code /admin/**} to
 * its operators.
 */
@RestController
@RequestMapping("/admin/replication")
class ReplicationAdminController {

    private static final int LISTED = 100;

    private final Replication replication;

    ReplicationAdminController(Replication replication) {
        this.replication = replication;
    }

    @GetMapping
    ReplicationStatus status() {
        return replication.status();
    }

    /** Compares every replicated table with its source; with {@code repair=true} also repairs. */
    @PostMapping("/reconciliations")
    ReconciliationReport reconcile(@RequestParam(defaultValue = "false") boolean repair) {
        return replication.reconcile(repair);
    }

    @PostMapping("/repairs")
    Repaired repair(@Valid @RequestBody Repair repair) {
        return new Repaired(repair.table(), repair.key(), replication.repair(repair.table(), repair.key()));
    }

    /** The oldest pending dead letters (at most 100) and how many there are. */
    @GetMapping("/dead-letters")
    PendingDeadLetters deadLetters() {
        DeadLetters letters = deadLettersHere();
        return new PendingDeadLetters(letters.pendingCount(), letters.pending(LISTED));
    }

    /** Replays every pending dead letter, in order. */
    @PostMapping("/dead-letters/replays")
    DeadLetters.Replay replayAll() {
        return deadLettersHere().replayAll();
    }

    /** Replays one dead letter, and those of its row that wait behind it. */
    @PostMapping("/dead-letters/{id}/replays")
    DeadLetters.Replay replay(@PathVariable long id) {
        return deadLettersHere().replay(id);
    }

    /** Rows both sides changed to the same version, oldest first (at most 100). */
    @GetMapping("/conflicts")
    List<Replication.Conflict> conflicts() {
        return replication.conflicts(LISTED);
    }

    private DeadLetters deadLettersHere() {
        return replication.deadLetters().orElseThrow(() -> new NotStreamingHere(replication.status().name()));
    }

    @GetMapping("/phase")
    PhaseSwitch phase() {
        return new PhaseSwitch(replication.phase());
    }

    @PutMapping("/phase")
    PhaseSwitch switchPhase(@Valid @RequestBody PhaseSwitch request) {
        replication.switchPhase(request.phase());
        return new PhaseSwitch(replication.phase());
    }

    /**
     * @param table the table here, {@code schema.table}
     * @param key   its primary key columns and their values
     */
    record Repair(@NotBlank String table, @NotEmpty Map<String, String> key) {
    }

    record Repaired(String table, Map<String, String> key, RepairResult result) {
    }

    record PhaseSwitch(@NotNull ExtractionPhase phase) {
    }

    record PendingDeadLetters(long pending, List<DeadLetters.DeadLetter> shown) {
    }
}
