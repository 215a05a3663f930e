package org.dcpserve.core.tokenizer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * Reads a Hugging Face {@code tokenizer.json} (and {@code tokenizer_config.json}) into a
 * {@link HuggingFaceTokenizer}. Only the components and options that the supported families' files use
 * are implemented; anything else fails the load with a one-line message naming it, rather than
 * tokenizing differently from the library that wrote the file:
 * <ul>
 *   <li>model: {@code BPE} ({@code merges} as {@code "a b"} strings or {@code ["a", "b"]} pairs,
 *       {@code byte_fallback}, {@code unk_token}, {@code fuse_unk}, {@code ignore_merges});
 *   <li>normalizer: {@code NFC}, {@code Prepend}, {@code Replace} (string pattern), {@code Sequence};
 *   <li>pre-tokenizer: {@code Split} (regex or string; {@code Isolated} or {@code MergedWithPrevious}),
 *       {@code ByteLevel} (without {@code add_prefix_space}), {@code Metaspace} (without {@code split}),
 *       {@code Digits}, {@code Sequence};
 *   <li>post-processor: {@code TemplateProcessing} that puts at most one special token before the text
 *       and none after it (that token is BOS), {@code ByteLevel} (offsets only), {@code Sequence};
 *   <li>decoder: {@code ByteLevel}, or {@code Replace}s, then {@code ByteFallback}, {@code Fuse} and
 *       {@code Strip} (of leading characters) in that order (a {@code Metaspace} decoder is refused:
 *       Hugging Face's Rust and JavaScript libraries disagree on it);
 *   <li>added tokens (special or not: a rendered chat template's special tokens are matched too) must not set
 *       {@code lstrip}, {@code rstrip}, {@code single_word} or {@code normalized}.
 * </ul>
 * From {@code tokenizer_config.json}: {@code bos_token}, {@code eos_token} and {@code add_bos_token}
 * (which, when present, decides whether BOS is added, as it does for Llama's and Gemma's tokenizer
 * classes); {@code add_eos_token: true} is refused, since encoding never appends tokens.
 */
final class TokenizerJson {

    private static final String GPT2_WORDS =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** A decoder as {@link HuggingFaceTokenizer} runs it: each token's bytes, then at most {@code count} leading {@code stripped} removed. */
    private record Decoder(TokenBytes bytes, char stripped, int count) {
    }

    private TokenizerJson() {
    }

    static HuggingFaceTokenizer read(Path tokenizerFile, Path configFile) throws IOException {
        JsonNode root = JsonFiles.readObject(tokenizerFile);
        JsonNode config = Files.exists(configFile) ? JsonFiles.readObject(configFile) : null;
        Map<String, Integer> vocab;
        HuggingFaceBpe model;
        String[] tokens;
        String[] addedContents;
        boolean[] special;
        Map<String, Integer> matched = new HashMap<>();
        Map<String, Integer> specials = new HashMap<>();
        TextNormalizer normalizer;
        PreTokenizer preTokenizer;
        Decoder decoder;
        Integer templateBos;
        try {
            JsonNode modelNode = object(root, "model");
            checkBpe(modelNode);
            vocab = vocab(modelNode);
            JsonNode addedNode = root.path("added_tokens");
            int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
            for (JsonNode added : addedNode) {
                size = Math.max(size, intField(added, "id") + 1);
            }
            tokens = new String[size];
            vocab.forEach((token, id) -> tokens[id] = token);
            addedContents = new String[size];
            special = new boolean[size];
            for (JsonNode added : addedNode) {
                addedToken(added, tokens, addedContents, special, matched, specials);
            }
            model = model(modelNode, vocab);
            normalizer = normalizer(root.path("normalizer"));
            preTokenizer = preTokenizer(root.path("pre_tokenizer"));
            decoder = decoder(root.path("decoder"));
            templateBos = templateBos(root.path("post_processor"));
        } catch (IllegalArgumentException e) {
            throw JsonFiles.bad(tokenizerFile, e.getMessage());
        }
        Integer bos;
        Integer eos;
        try {
            bos = bos(config, templateBos, tokens);
            eos = config == null ? null : tokenId(config.path("eos_token"), "eos_token", tokens);
        } catch (IllegalArgumentException e) {
            throw JsonFiles.bad(configFile, e.getMessage());
        }
        byte[][] pieces = new byte[tokens.length][];
        for (int id = 0; id < tokens.length; id++) {
            if (tokens[id] != null) {
                pieces[id] = special[id] ? new byte[0] : decoder.bytes().of(tokens[id]);
            }
        }
        Map<String, Integer> all = new HashMap<>(matched);
        all.putAll(specials);
        return new HuggingFaceTokenizer(new AddedTokens(matched), new AddedTokens(all), normalizer, preTokenizer, model,
                pieces, addedContents, decoder.stripped(), decoder.count(), bos, eos);
    }

    private static Map<String, Integer> vocab(JsonNode model) {
        JsonNode vocab = object(model, "vocab");
        Map<String, Integer> ids = new HashMap<>(vocab.size() * 2);
        BitSet seen = new BitSet(vocab.size());
        for (Map.Entry<String, JsonNode> entry : vocab.properties()) {
            JsonNode id = entry.getValue();
            if (!id.isInt() || id.intValue() < 0 || seen.get(id.intValue())) {
                throw new IllegalArgumentException("model.vocab: " + JsonFiles.quote(entry.getKey()) + " has id "
                        + JsonFiles.oneLine(id.toString()) + ", not a non-negative id of no other token");
            }
            seen.set(id.intValue());
            ids.put(entry.getKey(), id.intValue());
        }
        return ids;
    }

    /** Refuses any model but BPE, and BPE options that are not implemented, before the vocabulary is read. */
    private static void checkBpe(JsonNode model) {
        String type = model.path("type").asString("BPE");
        if (!type.equals("BPE")) {
            throw unsupported("model", type);
        }
        if (!model.path("dropout").isNull() && !model.path("dropout").isMissingNode() && model.path("dropout").asDouble() != 0) {
            throw new IllegalArgumentException("model BPE with dropout is not supported");
        }
        for (String affix : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
            if (!model.path(affix).asString("").isEmpty()) {
                throw new IllegalArgumentException("model BPE with a " + affix + " is not supported");
            }
        }
    }

    private static HuggingFaceBpe model(JsonNode model, Map<String, Integer> vocab) {
        List<HuggingFaceBpe.Merge> merges = new ArrayList<>();
        JsonNode mergesNode = model.path("merges");
        if (!mergesNode.isArray()) {
            throw new IllegalArgumentException("model.merges must be an array");
        }
        for (JsonNode merge : mergesNode) {
            merges.add(merge(merge, merges.size()));
        }
        JsonNode unk = model.path("unk_token");
        int unknownId = -1;
        if (unk.isString()) {
            Integer id = vocab.get(unk.stringValue());
            if (id == null) {
                throw new IllegalArgumentException("model.unk_token " + JsonFiles.quote(unk.stringValue()) + " is not in the vocabulary");
            }
            unknownId = id;
        }
        return new HuggingFaceBpe(vocab, merges, bool(model, "byte_fallback", false), unknownId,
                bool(model, "fuse_unk", false), bool(model, "ignore_merges", false));
    }

    /** A merge in either encoding: the string {@code "a b"} (older files) or the pair {@code ["a", "b"]}. */
    private static HuggingFaceBpe.Merge merge(JsonNode merge, int rank) {
        if (merge.isString()) {
            String[] parts = merge.stringValue().split(" ", -1);
            if (parts.length == 2) {
                return new HuggingFaceBpe.Merge(parts[0], parts[1]);
            }
        } else if (merge.isArray() && merge.size() == 2 && merge.get(0).isString() && merge.get(1).isString()) {
            return new HuggingFaceBpe.Merge(merge.get(0).stringValue(), merge.get(1).stringValue());
        }
        throw new IllegalArgumentException("merge " + rank + " is " + JsonFiles.oneLine(merge.toString())
                + ", neither \"left right\" nor [\"left\", \"right\"]");
    }

    /** Records an added token; {@code matched} gets it if it is found in text, {@code specials} if only in a rendered template. */
    private static void addedToken(JsonNode added, String[] tokens, String[] contents, boolean[] special,
                                   Map<String, Integer> matched, Map<String, Integer> specials) {
        int id = intField(added, "id");
        String content = added.path("content").asString(null);
        if (content == null || content.isEmpty()) {
            throw new IllegalArgumentException("added token " + id + " has no content");
        }
        boolean isSpecial = bool(added, "special", false);
        tokens[id] = content;
        contents[id] = content;
        special[id] = isSpecial;
        // A special token is matched only in text a chat template wrote (HuggingFaceTokenizer#encodeWithSpecialTokens),
        // which the same options would change as much: they are refused for every added token.
        for (String option : List.of("lstrip", "rstrip", "single_word")) {
            if (bool(added, option, false)) {
                throw new IllegalArgumentException("added token " + JsonFiles.quote(content) + " with " + option + " is not supported");
            }
        }
        // Left out, normalized is true for an ordinary added token and false for a special one (Hugging Face's AddedToken).
        if (bool(added, "normalized", !isSpecial)) {
            throw new IllegalArgumentException("added token " + JsonFiles.quote(content)
                    + " with normalized: true (matched after normalization) is not supported");
        }
        (isSpecial ? specials : matched).put(content, id);
    }

    private static TextNormalizer normalizer(JsonNode node) {
        if (absent(node)) {
            return TextNormalizer.NONE;
        }
        return switch (type(node, "normalizer")) {
            case "NFC" -> TextNormalizer.NFC;
            case "Prepend" -> TextNormalizer.prepend(string(node, "prepend"));
            case "Replace" -> TextNormalizer.replace(stringPattern(node, "normalizer"), string(node, "content"));
            case "Sequence" -> {
                List<TextNormalizer> steps = new ArrayList<>();
                node.path("normalizers").forEach(step -> steps.add(normalizer(step)));
                yield TextNormalizer.sequence(steps);
            }
            default -> throw unsupported("normalizer", type(node, "normalizer"));
        };
    }

    private static PreTokenizer preTokenizer(JsonNode node) {
        if (absent(node)) {
            return PreTokenizer.NONE;
        }
        return switch (type(node, "pre_tokenizer")) {
            case "Split" -> split(node);
            case "ByteLevel" -> {
                if (bool(node, "add_prefix_space", true)) {
                    throw new IllegalArgumentException("pre_tokenizer ByteLevel with add_prefix_space: true is not supported");
                }
                yield PreTokenizer.byteLevel(bool(node, "use_regex", true)
                        ? new SplitPreTokenizer(OnigurumaRegex.compile(GPT2_WORDS), SplitPreTokenizer.Behavior.ISOLATED)
                        : null);
            }
            case "Metaspace" -> metaspace(node);
            // Digits: each number character alone, or runs of them (Rust's char::is_numeric is \p{N})
            case "Digits" -> new SplitPreTokenizer(OnigurumaRegex.compile(bool(node, "individual_digits", false) ? "\\p{N}" : "\\p{N}+"),
                    SplitPreTokenizer.Behavior.ISOLATED);
            case "Sequence" -> {
                List<PreTokenizer> steps = new ArrayList<>();
                node.path("pretokenizers").forEach(step -> steps.add(preTokenizer(step)));
                yield PreTokenizer.sequence(steps);
            }
            default -> throw unsupported("pre_tokenizer", type(node, "pre_tokenizer"));
        };
    }

    private static SplitPreTokenizer split(JsonNode node) {
        if (bool(node, "invert", false)) {
            throw new IllegalArgumentException("pre_tokenizer Split with invert: true is not supported");
        }
        JsonNode pattern = node.path("pattern");
        Pattern compiled = pattern.path("Regex").isString() ? OnigurumaRegex.compile(pattern.path("Regex").stringValue())
                : Pattern.compile(Pattern.quote(stringPattern(node, "pre_tokenizer Split")));
        String behavior = string(node, "behavior");
        return new SplitPreTokenizer(compiled, switch (behavior) {
            case "Isolated" -> SplitPreTokenizer.Behavior.ISOLATED;
            case "MergedWithPrevious" -> SplitPreTokenizer.Behavior.MERGED_WITH_PREVIOUS;
            default -> throw new IllegalArgumentException("pre_tokenizer Split with behavior " + behavior + " is not supported");
        });
    }

    private static PreTokenizer metaspace(JsonNode node) {
        if (bool(node, "split", true)) {
            throw new IllegalArgumentException("pre_tokenizer Metaspace with split: true is not supported");
        }
        // prepend_scheme, or in older files the add_prefix_space it replaced
        String scheme = node.path("prepend_scheme").asString(bool(node, "add_prefix_space", true) ? "always" : "never");
        if (!List.of("always", "first", "never").contains(scheme)) {
            throw new IllegalArgumentException("pre_tokenizer Metaspace with prepend_scheme " + scheme + " is not supported");
        }
        return PreTokenizer.metaspace(string(node, "replacement"), scheme.equals("always"), scheme.equals("first"));
    }

    /** Replace, ByteFallback, Fuse and Strip in that order (each optional), or ByteLevel alone. */
    private static Decoder decoder(JsonNode node) {
        if (absent(node)) {
            throw new IllegalArgumentException("a tokenizer without a decoder (tokens joined by spaces) is not supported");
        }
        List<JsonNode> steps = new ArrayList<>();
        if (type(node, "decoder").equals("Sequence")) {
            node.path("decoders").forEach(steps::add);
        } else {
            steps.add(node);
        }
        if (steps.size() == 1 && type(steps.getFirst(), "decoder").equals("ByteLevel")) {
            return new Decoder(TokenBytes.BYTE_LEVEL, ' ', 0);
        }
        List<TokenBytes.Replacement> replacements = new ArrayList<>();
        int stage = 0; // 0: Replace, 1: ByteFallback, 2: Fuse, 3: Strip, each at most once after the Replaces
        boolean byteFallback = false;
        boolean fused = false;
        char stripped = ' ';
        int strip = 0;
        for (JsonNode step : steps) {
            String type = type(step, "decoder");
            int stepStage = switch (type) {
                case "Replace" -> 0;
                case "ByteFallback" -> 1;
                case "Fuse" -> 2;
                case "Strip" -> 3;
                default -> throw unsupported("decoder", type);
            };
            if (stepStage < stage || (stepStage == stage && stepStage > 0)) {
                throw new IllegalArgumentException("decoder " + type + " after " + List.of("Replace", "ByteFallback", "Fuse", "Strip").get(stage)
                        + " is not supported (the order must be Replace, ByteFallback, Fuse, Strip)");
            }
            stage = stepStage;
            switch (type) {
                case "Replace" -> replacements.add(new TokenBytes.Replacement(stringPattern(step, "decoder"), string(step, "content")));
                case "ByteFallback" -> byteFallback = true;
                case "Fuse" -> fused = true;
                default -> {
                    String content = string(step, "content");
                    if (content.length() != 1 || intField(step, "stop") != 0 || !fused) {
                        throw new IllegalArgumentException("decoder Strip is supported only after Fuse, of one character"
                                + " and at the start (stop: 0)");
                    }
                    stripped = content.charAt(0);
                    strip = intField(step, "start");
                }
            }
        }
        return new Decoder(TokenBytes.sentencePiece(replacements, byteFallback), stripped, strip);
    }

    /** The BOS of a TemplateProcessing post-processor (inside a Sequence or not), or null when nothing is added. */
    private static Integer templateBos(JsonNode node) {
        if (absent(node)) {
            return null;
        }
        return switch (type(node, "post_processor")) {
            case "ByteLevel" -> null; // only trims offsets, which encode does not report
            case "TemplateProcessing" -> template(node);
            case "Sequence" -> {
                Integer bos = null;
                for (JsonNode step : node.path("processors")) {
                    Integer stepBos = templateBos(step);
                    if (stepBos != null && bos != null) {
                        throw new IllegalArgumentException("post_processor Sequence with two templates is not supported");
                    }
                    bos = stepBos != null ? stepBos : bos;
                }
                yield bos;
            }
            default -> throw unsupported("post_processor", type(node, "post_processor"));
        };
    }

    private static Integer template(JsonNode node) {
        JsonNode single = node.path("single");
        List<Integer> before = new ArrayList<>();
        boolean sequenceSeen = false;
        for (JsonNode item : single) {
            if (item.has("Sequence")) {
                sequenceSeen = true;
            } else if (item.has("SpecialToken") && !sequenceSeen) {
                String name = item.path("SpecialToken").path("id").asString("");
                JsonNode tokenIds = node.path("special_tokens").path(name).path("ids");
                if (!tokenIds.isArray() || tokenIds.isEmpty()) {
                    throw new IllegalArgumentException("post_processor TemplateProcessing: special token " + JsonFiles.quote(name) + " has no ids");
                }
                tokenIds.forEach(id -> before.add(id.asInt()));
            } else {
                throw new IllegalArgumentException("post_processor TemplateProcessing that adds tokens after the text is not supported");
            }
        }
        if (before.size() > 1) {
            throw new IllegalArgumentException("post_processor TemplateProcessing that adds " + before.size() + " tokens before the text is not supported");
        }
        return before.isEmpty() ? null : before.getFirst();
    }

    /** BOS: what {@code add_bos_token} says when the config has it, else what the post-processor adds. */
    private static Integer bos(JsonNode config, Integer templateBos, String[] tokens) {
        if (config == null) {
            return templateBos;
        }
        if (bool(config, "add_eos_token", false)) {
            throw new IllegalArgumentException("add_eos_token: true is not supported (encoding appends no tokens)");
        }
        JsonNode addBos = config.path("add_bos_token");
        if (!addBos.isBoolean()) {
            return templateBos;
        }
        if (!addBos.booleanValue()) {
            return null;
        }
        Integer bos = tokenId(config.path("bos_token"), "bos_token", tokens);
        if (bos == null) {
            throw new IllegalArgumentException("add_bos_token is true but bos_token names no token");
        }
        return bos;
    }

    /** The id of a config's token, given as its content or as {@code {"content": ...}}; null when the config names none. */
    private static Integer tokenId(JsonNode node, String field, String[] tokens) {
        String content = node.isObject() ? node.path("content").asString(null) : node.asString(null);
        if (absent(node) || content == null) {
            return null;
        }
        for (int id = 0; id < tokens.length; id++) {
            if (content.equals(tokens[id])) {
                return id;
            }
        }
        throw new IllegalArgumentException(field + " " + JsonFiles.quote(content) + " is not a token of tokenizer.json");
    }

    private static IllegalArgumentException unsupported(String component, String type) {
        return new IllegalArgumentException(component + " type " + type + " is not supported");
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    private static String type(JsonNode node, String component) {
        JsonNode type = node.path("type");
        if (!type.isString()) {
            throw new IllegalArgumentException(component + " " + JsonFiles.oneLine(node.toString()) + " has no type");
        }
        return type.stringValue();
    }

    private static JsonNode object(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isObject()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an object");
        }
        return value;
    }

    private static String string(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isString()) {
            throw new IllegalArgumentException(type(node, "component") + ": \"" + field + "\" must be a string");
        }
        return value.stringValue();
    }

    private static int intField(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (!value.isInt() || value.intValue() < 0) {
            throw new IllegalArgumentException(JsonFiles.oneLine(node.toString()) + ": \"" + field + "\" must be a non-negative integer");
        }
        return value.intValue();
    }

    private static boolean bool(JsonNode node, String field, boolean absentValue) {
        JsonNode value = node.path(field);
        return value.isBoolean() ? value.booleanValue() : absentValue;
    }

    /** A component's {@code pattern} that must be {@code {"String": ...}}, a non-empty literal. */
    private static String stringPattern(JsonNode node, String component) {
        JsonNode literal = node.path("pattern").path("String");
        if (!literal.isString() || literal.stringValue().isEmpty()) {
            throw new IllegalArgumentException(component + " " + type(node, component) + " with pattern "
                    + JsonFiles.oneLine(node.path("pattern").toString()) + " is not supported (only a non-empty String pattern is)");
        }
        return literal.stringValue();
    }
}
