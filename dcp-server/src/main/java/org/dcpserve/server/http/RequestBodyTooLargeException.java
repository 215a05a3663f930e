package org.dcpserve.server.http;

import java.io.IOException;

/**
 * A request body longer than dcp.max-request-body: 413. An IOException because the limited body stream throws it
 * from read(), wherever the reader is (Jackson wraps it; the error handling finds it in the causes).
 */
public class RequestBodyTooLargeException extends IOException {

    public RequestBodyTooLargeException(long limit) {
        super("the request body is larger than " + limit + " bytes, the most this server reads"
                + " (dcp.max-request-body)");
    }
}
