package org.dcpserve.server.http;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Gives every request its {@link ClientConnection}, answered by Tomcat's connector: once the request body is read,
 * a non-blocking read of the socket that finds its end (or a reset) means the client is gone. Tomcat does this read
 * itself when asked how much input is available (ActionCode.AVAILABLE with a read); a live idle client leaves
 * nothing to read, so the probe costs one system call. While the body is unread the answer is "open": its bytes
 * would be mistaken for the end.
 */
final class ClientConnectionValve extends ValveBase {

    ClientConnectionValve() {
        super(true);
    }

    @Override
    public void invoke(Request request, Response response) throws IOException, ServletException {
        request.setAttribute(ClientConnection.ATTRIBUTE, (ClientConnection) () -> closed(request));
        getNext().invoke(request, response);
    }

    private static boolean closed(Request request) {
        org.apache.coyote.Request coyote = request.getCoyoteRequest();
        if (!coyote.isFinished()) {
            return false;
        }
        coyote.action(ActionCode.AVAILABLE, Boolean.TRUE);
        // Tomcat reports a failed read (end of stream, reset) as input available, so that a read would throw.
        return coyote.getAvailable() > 0;
    }

    /** Puts the valve in every context's pipeline. */
    @Component
    static class Installer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

        @Override
        public void customize(TomcatServletWebServerFactory factory) {
            factory.addContextValves(new ClientConnectionValve());
        }
    }
}
