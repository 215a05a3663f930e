package org.dcpserve.core.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dcpserve.core.engine.RandomModels;
import org.dcpserve.core.load.ModelLoader;
import org.dcpserve.core.load.ModelSource;
import org.dcpserve.core.model.Architecture;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.ModelPackage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model package with our own BPE tokenizer: written as tokenizer.json and served with it. */
class BpePackageTest {

    @TempDir
    Path dir;

    @Test
    void aPackageWithABpeTokenizerLoadsWithThatTokenizer() throws IOException {
        BpeTokenizer bpe = BpeTrainer.train(List.of(EnglishText.generate(4, 30_000)), 320);
        Path tokenizerFile = dir.resolve("my-bpe.json");
        bpe.save(tokenizerFile);
        ModelConfig config = gpt2WithBpe(bpe.vocabSize());
        Path packageDir = dir.resolve("package");
        ModelPackage.write(packageDir, config, RandomModels.weights(config, 5), tokenizerFile);

        assertThat(packageDir.resolve("tokenizer.json")).hasSameTextualContentAs(tokenizerFile);
        assertThat(packageDir.resolve("tokenizer.bin")).doesNotExist();
        assertThat(ModelPackage.tokenizerFile(config, packageDir)).isEqualTo(packageDir.resolve("tokenizer.json"));

        ModelSource source = ModelLoader.load(packageDir);
        assertThat(source.kind()).isEqualTo(ModelSource.Kind.MODEL_PACKAGE);
        assertThat(source.tokenizer()).isInstanceOf(BpeTokenizer.class);
        String text = "The cat saw the dog, and it's 42 \u2603.";
        assertThat(source.tokenizer().encode(text)).isEqualTo(bpe.encode(text));
        assertThat(((BpeTokenizer) source.tokenizer()).merges()).isDeepEqualTo(bpe.merges());
        assertThat(source.config().tokenizer()).isEqualTo(new ModelConfig.TokenizerSpec("bpe", 0, 0));
    }

    @Test
    void aTokenizerOfAnotherVocabularyIsRefused() throws IOException {
        BpeTokenizer bpe = BpeTrainer.train(List.of(EnglishText.generate(4, 30_000)), 320);
        Path tokenizerFile = dir.resolve("tok.json");
        bpe.save(tokenizerFile);
        ModelConfig config = gpt2WithBpe(bpe.vocabSize() + 1);
        Path packageDir = dir.resolve("package");
        ModelPackage.write(packageDir, config, RandomModels.weights(config, 5), tokenizerFile);
        assertThatThrownBy(() -> ModelLoader.load(packageDir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("tokenizer.json has 320 tokens but the model's vocab_size is 321");

        Files.delete(packageDir.resolve("tokenizer.json"));
        assertThatThrownBy(() -> ModelLoader.load(packageDir)).isInstanceOf(IOException.class)
                .hasMessageContaining("tokenizer.json");
        assertThatThrownBy(() -> ModelLoader.tokenizer(config, null))
                .isInstanceOf(IOException.class).hasMessageContaining("'bpe' needs a tokenizer file");
    }

    @Test
    void theTokenizerFileNameDependsOnTheKind() throws IOException {
        Path d = Path.of("pkg");
        assertThat(ModelPackage.tokenizerFile(RandomModels.llamaConfig(), d)).isEqualTo(d.resolve("tokenizer.bin"));
        assertThat(ModelPackage.tokenizerFile(gpt2WithBpe(300), d)).isEqualTo(d.resolve("tokenizer.json"));
        assertThat(ModelPackage.tokenizerFile(RandomModels.gpt2Config(), d)).isNull();

        Path stray = Files.writeString(dir.resolve("stray.json"), "{}");
        ModelConfig gpt2 = RandomModels.gpt2Config();
        assertThatThrownBy(() -> ModelPackage.write(dir.resolve("p"), gpt2, RandomModels.weights(gpt2, 1), stray))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gpt2' takes no tokenizer file");
    }

    private static ModelConfig gpt2WithBpe(int vocabSize) {
        return new ModelConfig(ModelConfig.FORMAT_VERSION, Architecture.GPT2, 2, 32, 4, 4, 64, vocabSize, 64,
                1e-5f, 0f, new ModelConfig.TokenizerSpec(ModelConfig.TokenizerSpec.BPE, BpeTokenizer.END_OF_TEXT,
                        BpeTokenizer.END_OF_TEXT), null, null);
    }
}
