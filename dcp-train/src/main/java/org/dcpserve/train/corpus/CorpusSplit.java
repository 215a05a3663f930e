package org.dcpserve.train.corpus;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Which split a document belongs to: a function of its id alone (CRC32 of the id, mod 100), so the
 * split is the same on every machine, in every order, and adding a source does not move documents of
 * another. Whole documents go to one split: no address or sample is seen partly in training and partly
 * in the test.
 */
public enum CorpusSplit {
    TRAIN, VALIDATION, TEST;

    public static CorpusSplit of(String documentId, int testPercent, int validationPercent) {
        CRC32 crc = new CRC32();
        crc.update(documentId.getBytes(StandardCharsets.UTF_8));
        long bucket = crc.getValue() % 100;
        if (bucket < testPercent) {
            return TEST;
        }
        return bucket < testPercent + validationPercent ? VALIDATION : TRAIN;
    }

    public String fileName() {
        return name().toLowerCase(java.util.Locale.ROOT) + ".txt";
    }
}
