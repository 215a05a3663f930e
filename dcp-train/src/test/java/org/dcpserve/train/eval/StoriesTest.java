package org.dcpserve.train.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.tokenizer.Gpt2Tokenizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoriesTest {

    @TempDir
    Path dir;

    @Test
    void storiesAreSplitOnSeparatorLinesAndSequencedPerStoryOrPacked() throws IOException {
        Path file = Files.writeString(dir.resolve("s.txt"),
                "<|endoftext|>\nOne day a cat.\nIt sat.\n<|endoftext|>\n\n<|endoftext|>\nThe end.\n");
        List<String> stories = Stories.read(file);
        assertThat(stories).containsExactly("One day a cat.\nIt sat.", "The end.");

        ModelConfig gpt2 = RandomModels.gpt2Config();
        Gpt2Tokenizer tokenizer = new Gpt2Tokenizer();
        List<int[]> perStory = Stories.sequences(stories, tokenizer, gpt2, 4, false);
        assertThat(perStory).hasSize(2);
        assertThat(perStory.get(0)).hasSize(4).startsWith(gpt2.tokenizer().eosId());
        assertThat(perStory.get(1)).startsWith(gpt2.tokenizer().eosId());

        int total = stories.stream().mapToInt(s -> tokenizer.encode(s).length + 1).sum();
        List<int[]> packed = Stories.sequences(stories, tokenizer, gpt2, 4, true);
        assertThat(packed.stream().mapToInt(s -> s.length).sum()).isEqualTo(total);
        assertThat(packed.getFirst()).hasSize(4);
    }

    @Test
    void anEmptyFileIsRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("empty.txt"), "<|endoftext|>\n\n");
        assertThatThrownBy(() -> Stories.read(file)).hasMessageContaining("holds no text");
    }
}
