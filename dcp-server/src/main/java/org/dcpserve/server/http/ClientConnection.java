package org.dcpserve.server.http;

import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;

/**
 * Whether the client of a request still holds its connection. The Servlet API says nothing of a client that closes
 * while its response is being computed (it fails only the next write), so a request that waits long before writing
 * anything, such as /generate, asks the connector; see {@link ClientConnectionValve}.
 */
@FunctionalInterface
public interface ClientConnection {

    /** The request attribute that holds a request's connection. */
    String ATTRIBUTE = ClientConnection.class.getName();

    /** A connection nothing is known of: it never looks closed. */
    ClientConnection UNKNOWN = () -> false;

    /** True once the client closed or reset its connection. Only on the thread that handles the request. */
    boolean closed();

    /**
     * The connection of the request this thread handles; {@link #UNKNOWN} on any other thread (an event stream's
     * writer, which learns of a closed client from its writes).
     */
    static ClientConnection current() {
        RequestAttributes request = RequestContextHolder.getRequestAttributes();
        Object connection = request == null ? null
                : request.getAttribute(ATTRIBUTE, RequestAttributes.SCOPE_REQUEST);
        return connection instanceof ClientConnection c ? c : UNKNOWN;
    }
}
