package org.dcpserve.server.error;

import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;

/**
 * A wire format's own error body, for the routes it serves (a bean; {@link ErrorBodies} asks each): what the
 * problem detail the shared error handling made becomes there, with the same status and message. Routes no
 * format serves answer with the problem detail and TGI's error members.
 */
public interface ErrorFormat {

    /** Whether the route the client asked for (its path, also when Tomcat forwarded the error) is this format's. */
    boolean serves(String path);

    MediaType contentType();

    Object body(ProblemDetail problem);
}
