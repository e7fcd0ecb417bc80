package dev.ficus.toolkit.replication;

import org.springframework.boot.autoconfigure.SpringBootApplication;

/** An application whose database holds {@code copy.items}, a replica of {@code shop.items}. */
@SpringBootApplication
class ReplicationTestApplication {
}
