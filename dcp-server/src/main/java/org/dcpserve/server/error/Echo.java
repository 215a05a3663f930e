package org.dcpserve.server.error;

/**
 * How much of a rejected value an error message may repeat: enough to recognise it, never the value itself when it
 * is long (a rejected 10 MB prompt must not come back in the 422).
 */
public final class Echo {

    /** Most characters of a client's value an error message repeats, the ellipsis included. */
    public static final int MAX_CHARS = 64;

    private Echo() {
    }

    /** The value as text, cut to {@link #MAX_CHARS} characters (its last one an ellipsis) when longer. */
    public static String prefix(Object value) {
        String text = String.valueOf(value);
        if (text.length() <= MAX_CHARS) {
            return text;
        }
        // Never split a surrogate pair: half a character would come back as a replacement character.
        int end = MAX_CHARS - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }
}
