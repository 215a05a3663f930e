package org.dcpserve.server.trace;

import java.util.Optional;
import java.util.UUID;
import org.springframework.data.repository.Repository;

/** Traces by request id. Only what the service needs: traces are inserted once and read back whole. */
interface TraceRepository extends Repository<Trace, UUID> {

    /** Inserts a new trace with its tokens, layers and drops in one transaction (no SELECT first: Persistable). */
    Trace save(Trace trace);

    Optional<Trace> findById(UUID requestId);
}
