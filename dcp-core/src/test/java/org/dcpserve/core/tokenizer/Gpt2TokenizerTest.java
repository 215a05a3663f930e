package org.dcpserve.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class Gpt2TokenizerTest {

    private final Gpt2Tokenizer tokenizer = new Gpt2Tokenizer();

    @Test
    void encodesLikeGpt2() {
        assertThat(tokenizer.encode("Hello world")).containsExactly(15496, 995);
        assertThat(tokenizer.vocabSize()).isEqualTo(50257);
    }

    @Test
    void decodeRoundTripsNonAscii() {
        String text = "naïve café ☃ 日本";
        assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
    }

    @Test
    void characterSplitOverTokensDecodesWholeButNotAlone() {
        // "☃" is three UTF-8 bytes that GPT-2 spreads over more than one token.
        int[] ids = tokenizer.encode("☃");
        assertThat(ids.length).isGreaterThan(1);
        assertThat(tokenizer.decode(ids)).isEqualTo("☃");
        assertThat(tokenizer.decode(Arrays.copyOf(ids, 1))).isEqualTo("\uFFFD");
        assertThat(tokenizer.tokenText(ids[0])).matches("(<0x[0-9A-F]{2}>)+");
    }

    @Test
    void specialTokenTextInUserInputIsOrdinaryText() {
        int[] ids = tokenizer.encode("a<|endoftext|>b");
        assertThat(ids).doesNotContain(Gpt2Tokenizer.EOS_ID);
        assertThat(tokenizer.decode(ids)).isEqualTo("a<|endoftext|>b");
    }

    @Test
    void tokenTextOfOrdinaryAndSpecialTokens() {
        assertThat(tokenizer.tokenText(995)).isEqualTo(" world");
        assertThat(tokenizer.tokenText(Gpt2Tokenizer.EOS_ID)).isEqualTo("<|endoftext|>");
    }

    @Test
    void rejectsIdsOutsideTheVocabulary() {
        assertThatThrownBy(() -> tokenizer.decode(new int[] {50257}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("50257");
    }

    @Test
    void noTokenCoversMoreCharactersThanTheBound() {
        Gpt2Tokenizer tokenizer = new Gpt2Tokenizer();
        int longest = 0;
        for (int id = 0; id < Gpt2Tokenizer.VOCAB_SIZE; id++) {
            longest = Math.max(longest, tokenizer.decode(new int[] {id}).length());
        }
        assertThat(longest).isPositive().isLessThanOrEqualTo(tokenizer.maxTokenChars());
    }
}
