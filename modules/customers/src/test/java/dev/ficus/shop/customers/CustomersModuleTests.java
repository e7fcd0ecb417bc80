package dev.ficus.shop.customers;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.test.ApplicationModuleTest;
import org.springframework.modulith.test.Scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ApplicationModuleTest
class CustomersModuleTests {

    private final Customers customers;
    private final JdbcClient jdbc;

    CustomersModuleTests(Customers customers, JdbcClient jdbc) {
        this.customers = customers;
        this.jdbc = jdbc;
    }

    @Test
    void registeredCustomersAreFoundWithTheirEmailNormalized() {
        String email = uniqueEmail();
        Customer registered = customers.register(new CustomerProfile("  " + email.toUpperCase() + " ", "Ada", null));

        assertThat(registered.email()).isEqualTo(email);
        assertThat(customers.findById(registered.id())).contains(registered);
    }

    @Test
    void aRegistrationIsVisibleOnceItsTransactionCommitted(Scenario scenario) {
        String email = uniqueEmail();

        scenario.stimulate(transaction -> transaction.execute(status ->
                        customers.register(new CustomerProfile(email, "Grace", "+1 555 0100"))))
                .andWaitForStateChange(() -> jdbc.sql("select count(*) from customers.customers where email = ?")
                        .param(email).query(Long.class).single(), count -> count == 1)
                .andVerify((count, registered) -> assertThat(customers.findById(registered.id()))
                        .hasValueSatisfying(found -> assertThat(found.phone()).isEqualTo("+1 555 0100")));
    }

    @Test
    void anEmailBelongsToOneCustomerWhateverItsCase() {
        String email = uniqueEmail();
        customers.register(new CustomerProfile(email, "Ada", null));

        assertThatThrownBy(() -> customers.register(new CustomerProfile(email.toUpperCase(), "Grace", null)))
                .isInstanceOf(DuplicateEmail.class);
    }

    @Test
    void profilesCanBeUpdatedKeepingOrChangingTheEmail() {
        Customer customer = customers.register(new CustomerProfile(uniqueEmail(), "Ada", null));

        Customer renamed = customers.update(customer.id(), new CustomerProfile(customer.email(), "Ada L.", "+44 20 1234"));
        String newEmail = uniqueEmail();
        Customer moved = customers.update(customer.id(), new CustomerProfile(newEmail, "Ada L.", null));

        assertThat(renamed.name()).isEqualTo("Ada L.");
        assertThat(renamed.phone()).isEqualTo("+44 20 1234");
        assertThat(moved.email()).isEqualTo(newEmail);
        assertThat(moved.version()).isEqualTo(customer.version() + 2);
    }

    @Test
    void anUpdateCannotTakeAnotherCustomersEmail() {
        Customer ada = customers.register(new CustomerProfile(uniqueEmail(), "Ada", null));
        Customer grace = customers.register(new CustomerProfile(uniqueEmail(), "Grace", null));

        assertThatThrownBy(() -> customers.update(grace.id(), new CustomerProfile(ada.email(), "Grace", null)))
                .isInstanceOf(DuplicateEmail.class);
        assertThat(customers.findById(grace.id())).contains(grace);
    }

    @Test
    void updatingAnUnknownCustomerIsRefused() {
        assertThatThrownBy(() -> customers.update(UUID.randomUUID(), new CustomerProfile(uniqueEmail(), "X", null)))
                .isInstanceOf(CustomerNotFound.class);
    }

    private static String uniqueEmail() {
        return "c-" + UUID.randomUUID() + "@example.org";
    }
}
