package org.dcpserve.core.generate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Function;
import org.dcpserve.core.schedule.KvBudgetExceededException;
import org.junit.jupiter.api.Test;

/** The engine's refusals name the request's fields the way the client's wire format does. */
class RefusalWordingTest {

    /** A wire format with its own names and no truncate field, as OpenAI's is. */
    private static final Function<RequestField, String> OTHER_WIRE = field -> switch (field) {
        case PROMPT -> "prompt";
        case MAX_NEW_TOKENS -> "max_tokens";
        case TRUNCATE -> null;
        case PRUNING -> "pruning";
    };

    @Test
    void tgiWordingIsTheMessage() {
        assertThat(InvalidPromptException.maxNewTokensPastContext(600, 256).getMessage())
                .isEqualTo("max_new_tokens is 600 but the model's context length is 256; ask for at most 255 new tokens");
        assertThat(InvalidPromptException.promptTooLong("300", 20, 256).getMessage()).isEqualTo("the prompt has 300"
                + " tokens and max_new_tokens is 20, together more than the model's context length of 256;"
                + " shorten the prompt, lower max_new_tokens, or set parameters.truncate");
        assertThat(InvalidPromptException.emptyPrompt().getMessage()).endsWith("give some text in 'inputs'");
        assertThat(InvalidPromptException.noGatesToPrune().getMessage()).contains("leave 'pruning' out");
    }

    @Test
    void anotherWireNamesItsOwnFieldsAndLeavesOutAdviceAboutFieldsItLacks() {
        assertThat(InvalidPromptException.maxNewTokensPastContext(600, 256).message(OTHER_WIRE))
                .startsWith("max_tokens is 600 ");
        assertThat(InvalidPromptException.promptTooLong("300", 20, 256).message(OTHER_WIRE))
                .contains("and max_tokens is 20,").endsWith("; shorten the prompt or lower max_tokens")
                .doesNotContain("truncate");
        assertThat(InvalidPromptException.emptyPrompt().message(OTHER_WIRE)).endsWith("give some text in 'prompt'");
        assertThat(new KvBudgetExceededException(2048, 1024).message(OTHER_WIRE))
                .endsWith("budget is 1024 bytes; shorten the prompt or lower max_tokens");
    }

    @Test
    void eachRefusalNamesTheFieldToFix() {
        assertThat(InvalidPromptException.maxNewTokensPastContext(600, 256).field()).isEqualTo(RequestField.MAX_NEW_TOKENS);
        assertThat(InvalidPromptException.promptTooLong("300", 20, 256).field()).isEqualTo(RequestField.PROMPT);
        assertThat(InvalidPromptException.emptyPrompt().field()).isEqualTo(RequestField.PROMPT);
        assertThat(InvalidPromptException.noGatesToPrune().field()).isEqualTo(RequestField.PRUNING);
        assertThat(new KvBudgetExceededException(2048, 1024).field().path()).isEqualTo("parameters.max_new_tokens");
    }
}
