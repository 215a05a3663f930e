package org.dcpserve.core.importer;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import org.dcpserve.core.model.ModelConfig;
import org.dcpserve.core.model.WeightSource;

/**
 * A checkpoint opened for building graphs and sessions straight from its files: like {@link ImportedModel}, but its
 * weights are read from the checkpoint when a graph or session needs them rather than held in memory.
 *
 * @param config        architecture, sizes and tokenizer
 * @param weights       canonical weights, read on demand from the checkpoint's files
 * @param tokenizerFile the tokenizer file to copy into a package, or null when the tokenizer needs none
 * @param storedDtype   the dtype most of the checkpoint's elements are stored in ({@code bfloat16}, ...)
 * @param files         the open files {@code weights} reads; serving leaves them open for as long as it may build
 *                      sessions, a conversion closes them
 */
public record StreamedCheckpoint(ModelConfig config, WeightSource weights, Path tokenizerFile, String storedDtype,
                                 Closeable files)
        implements Closeable {

    @Override
    public void close() throws IOException {
        files.close();
    }
}
