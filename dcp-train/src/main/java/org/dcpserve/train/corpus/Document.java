package org.dcpserve.train.corpus;

/**
 * One document of a source corpus, cleaned to plain text.
 *
 * @param id   stable name within its corpus (the split is a function of it), e.g. {@code sotu/1989_george_bush_r}
 * @param text plain text: sentences separated by single spaces, paragraphs by newlines
 */
public record Document(String id, String text) {
}
