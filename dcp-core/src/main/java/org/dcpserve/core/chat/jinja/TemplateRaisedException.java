package org.dcpserve.core.chat.jinja;

/**
 * The template itself refused to render, through {@code raise_exception(message)} (for example "Conversation roles
 * must alternate user/assistant/user/assistant/..."). The message is exactly the template's text, so that it can be
 * shown to the client who sent the conversation; the position is still available through {@link #line()}.
 */
public final class TemplateRaisedException extends TemplateException {

    public TemplateRaisedException(String message) {
        super(message);
    }

    private TemplateRaisedException(String message, int line, int column) {
        super(message, line, column);
    }

    @Override
    public String getMessage() {
        return reason();
    }

    @Override
    TemplateRaisedException relocated(int lineNumber, int columnNumber) {
        TemplateRaisedException located = new TemplateRaisedException(reason(), lineNumber, columnNumber);
        located.setStackTrace(getStackTrace());
        return located;
    }
}
