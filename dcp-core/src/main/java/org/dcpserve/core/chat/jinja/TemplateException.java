package org.dcpserve.core.chat.jinja;

/**
 * A template that cannot be parsed or rendered. The message names the construct and, once known, where it is in the
 * template ("at line 3, column 7" of the template as written).
 */
public class TemplateException extends RuntimeException {

    private final String reason;
    private final int line;
    private final int column;

    public TemplateException(String reason) {
        this(reason, 0, 0);
    }

    TemplateException(String reason, int line, int column) {
        super(line > 0 ? reason + " at line " + line + ", column " + column : reason);
        this.reason = reason;
        this.line = line;
        this.column = column;
    }

    /** What went wrong, without the position. */
    public String reason() {
        return reason;
    }

    /** The 1-based line in the template, or 0 where unknown. */
    public int line() {
        return line;
    }

    /** The 1-based column in the template, or 0 where unknown. */
    public int column() {
        return column;
    }

    boolean located() {
        return line > 0;
    }

    /** This error placed at an offset of the template as written (a no-op when it already has a place). */
    TemplateException locate(String template, int offset) {
        if (located() || offset < 0) {
            return this;
        }
        int lineNumber = 1;
        int lineStart = 0;
        for (int i = 0; i < Math.min(offset, template.length()); i++) {
            if (template.charAt(i) == '\n') {
                lineNumber++;
                lineStart = i + 1;
            }
        }
        return relocated(lineNumber, offset - lineStart + 1);
    }

    TemplateException relocated(int lineNumber, int columnNumber) {
        TemplateException located = new TemplateException(reason, lineNumber, columnNumber);
        located.setStackTrace(getStackTrace());
        return located;
    }
}
