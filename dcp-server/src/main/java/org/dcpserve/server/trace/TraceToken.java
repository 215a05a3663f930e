package org.dcpserve.server.trace;

import jakarta.persistence.Embeddable;
import org.dcpserve.core.generate.GeneratedToken;

/**
 * A prompt or generated token.
 *
 * @param position place in the sequence (prompt first)
 * @param tokenId  the token id
 * @param text     the token's own text
 * @param prompt   whether it was part of the prompt
 */
@Embeddable
record TraceToken(int position, int tokenId, String text, boolean prompt) {

    static TraceToken of(GeneratedToken token, boolean prompt) {
        return new TraceToken(token.position(), token.id(), Trace.storable(token.text()), prompt);
    }
}
