package io.pgwarden.operations.engine;

import io.pgwarden.contracts.MessageType;
import io.pgwarden.operations.core.OperationKind;
import io.quarkus.arc.All;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The operation kinds this service runs: the commands it takes are exactly theirs. */
@ApplicationScoped
public class OperationKinds {
    private final Map<String, OperationKind<?, ?, ?>> byName;

    public OperationKinds(@All List<OperationKind<?, ?, ?>> kinds) {
        this.byName = kinds.stream().collect(Collectors.toUnmodifiableMap(OperationKind::name, Function.identity()));
    }

    /** The kind that runs commands of type, if this service runs them. */
    public Optional<OperationKind<?, ?, ?>> forType(MessageType type) {
        return Optional.ofNullable(byName.get(type.bodyClass().getSimpleName()));
    }

    public OperationKind<?, ?, ?> get(String name) {
        OperationKind<?, ?, ?> kind = byName.get(name);
        if (kind == null) {
            throw new IllegalStateException("no operation kind " + name + " in this service");
        }
        return kind;
    }
}
