package dev.ficus.toolkit.messaging;

import java.util.List;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when {@code ficus.messaging.routed-capabilities} names at least one capability, as a list or a comma-separated value. */
class OnRoutedCapabilities extends SpringBootCondition {

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        List<String> capabilities = Binder.get(context.getEnvironment())
                .bind("ficus.messaging.routed-capabilities", Bindable.listOf(String.class))
                .orElse(List.of());
        return capabilities.isEmpty() ? ConditionOutcome.noMatch("no routed capabilities")
                : ConditionOutcome.match("routed capabilities " + capabilities);
    }
}
