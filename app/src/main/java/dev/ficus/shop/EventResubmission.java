package dev.ficus.shop;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.modulith.events.FailedEventPublications;
import org.springframework.modulith.events.ResubmissionOptions;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Delivers failed module events again. A listener that throws leaves its event publication
 * FAILED in the registry; every {@code ficus.events.resubmission.interval} those publications are
 * handed to their listeners once more, until they succeed. (Incomplete publications are also
 * resubmitted at start-up: {@code spring.modulith.events.republish-outstanding-events-on-restart}.)
 */
@Component
class EventResubmission {

    private static final Logger log = LoggerFactory.getLogger(EventResubmission.class);

    private final FailedEventPublications failed;
    private final Settings settings;

    EventResubmission(FailedEventPublications failed, Settings settings) {
        this.failed = failed;
        this.settings = settings;
    }

    @Scheduled(fixedDelayString = "${ficus.events.resubmission.interval:30s}",
            initialDelayString = "${ficus.events.resubmission.interval:30s}")
    void resubmitFailed() {
        log.debug("Resubmitting failed event publications");
        failed.resubmit(ResubmissionOptions.defaults().withBatchSize(settings.batchSize()));
    }

    /**
     * @param interval  pause between two rounds of resubmission
     * @param batchSize publications resubmitted per round
     */
    @ConfigurationProperties("ficus.events.resubmission")
    record Settings(@DefaultValue("30s") Duration interval, @DefaultValue("100") int batchSize) {
    }
}
