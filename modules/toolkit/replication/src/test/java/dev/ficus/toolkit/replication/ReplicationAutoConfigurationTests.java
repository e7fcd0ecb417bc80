package dev.ficus.toolkit.replication;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/** Which beans replication adds, and that an application's own ones win. */
class ReplicationAutoConfigurationTests {

    private static final Replication OWN = mock(Replication.class);

    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(ReplicationAutoConfiguration.class))
            .withBean(DataSource.class, () -> mock(DataSource.class))
            .withBean("ownReplication", Replication.class, () -> OWN)
            .withPropertyValues("ficus.replication.tables[0].source=shop.items");

    @Test
    void anApplicationsOwnReplicationIsUsed() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(DefaultReplication.class);
            assertThat(context).getBean(Replication.class).isSameAs(OWN);
            assertThat(context).hasSingleBean(ReplicationHealthIndicator.class);
        });
    }

    @Test
    void anApplicationsOwnHealthIndicatorIsUsed() {
        HealthIndicator own = () -> Health.up().build();
        runner.withBean("replicationHealthIndicator", HealthIndicator.class, () -> own).run(context -> {
            assertThat(context).doesNotHaveBean(ReplicationHealthIndicator.class);
            assertThat(context).getBean("replicationHealthIndicator").isSameAs(own);
        });
    }

    @Test
    void theEndpointIsThereOnlyWhenExposed() {
        runner.run(context -> assertThat(context).doesNotHaveBean(ReplicationEndpoint.class));
        runner.withPropertyValues("management.endpoints.web.exposure.include=replication")
                .run(context -> assertThat(context).hasSingleBean(ReplicationEndpoint.class));
    }

    @Test
    void nothingWithoutReplicatedTables() {
        new WebApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReplicationAutoConfiguration.class))
                .withBean(DataSource.class, () -> mock(DataSource.class))
                .withPropertyValues("management.endpoints.web.exposure.include=replication")
                .run(context -> assertThat(context).doesNotHaveBean(ReplicationEndpoint.class)
                        .doesNotHaveBean(Replication.class));
    }
}
