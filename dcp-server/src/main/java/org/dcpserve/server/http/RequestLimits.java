package org.dcpserve.server.http;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits on what a client may send, under {@code dcp.*} beside the model settings.
 *
 * @param maxRequestBody largest request body read; a larger one is a 413 before (Content-Length) or as soon as
 *                       (chunked) it passes the limit, never read to its end
 */
@ConfigurationProperties("dcp")
public record RequestLimits(@DefaultValue("1MB") DataSize maxRequestBody) {
}
