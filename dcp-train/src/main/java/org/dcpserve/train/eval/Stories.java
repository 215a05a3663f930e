package org.dcpserve.train.eval;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.tokenizer.Tokenizer;
import org.dcpserve.train.train.TokenData;

/** A text file of stories separated by lines holding only {@code <|endoftext|>}. */
final class Stories {

    private Stories() {
    }

    /** The stories of a file, split as the trainer splits its data ({@link TokenData#stories}). */
    static List<String> read(Path file) throws IOException {
        List<String> stories = TokenData.stories(Files.readString(file));
        if (stories.isEmpty()) {
            throw new IOException(file + " holds no text");
        }
        return stories;
    }

    /**
     * The evaluation sequences: each story on its own (BOS first, cut at {@code context} tokens), or,
     * {@code packed}, all stories concatenated and cut into windows of {@code context} tokens.
     */
    static List<int[]> sequences(List<String> stories, Tokenizer tokenizer, ModelConfig config, int context,
                                 boolean packed) {
        List<int[]> tokenized = new ArrayList<>();
        for (String story : stories) {
            int[] ids = tokenizer.encode(story);
            int[] sequence = new int[ids.length + 1];
            // GPT-2 has no BOS: its <|endoftext|> separates documents, as in its pre-training.
            Integer bos = config.tokenizer().bosId();
            sequence[0] = bos != null ? bos : config.tokenizer().eosId();
            System.arraycopy(ids, 0, sequence, 1, ids.length);
            tokenized.add(packed ? sequence : Arrays.copyOf(sequence, Math.min(sequence.length, context)));
        }
        if (!packed) {
            return tokenized;
        }
        int[] stream = tokenized.stream().flatMapToInt(Arrays::stream).toArray();
        List<int[]> windows = new ArrayList<>();
        for (int start = 0; start + 1 < stream.length; start += context) {
            windows.add(Arrays.copyOfRange(stream, start, Math.min(stream.length, start + context)));
        }
        return windows;
    }
}
