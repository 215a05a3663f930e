// Encodes and decodes a text set with Hugging Face's tokenizers.js, as the reference that
// HuggingFaceTokenizerReferenceTest compares our Java tokenizer with.
//   node reference.mjs <dir with tokenizer.json and tokenizer_config.json> <texts.json: an array of strings>
// Prints one JSON object: for each text, the ids with special tokens typed in the text taken as
// ordinary text (as split_special_tokens=True, which is what our tokenizer does), the same with the
// post-processor's tokens (BOS) added, the ids with special tokens found in the text (as a rendered chat
// template is encoded) and the decode of the first (special tokens skipped, no clean-up).
import { Tokenizer } from "@huggingface/tokenizers";
import fs from "node:fs";
import path from "node:path";

const [dir, textsFile] = process.argv.slice(2);
const json = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8"));
const configFile = path.join(dir, "tokenizer_config.json");
const config = fs.existsSync(configFile) ? JSON.parse(fs.readFileSync(configFile, "utf8")) : {};
const texts = JSON.parse(fs.readFileSync(textsFile, "utf8"));

const full = new Tokenizer(json, config);
// Without its special added tokens the tokenizer never finds them in text: they go through the
// normalizer, pre-tokenizer and model like any other text.
const ordinary = new Tokenizer({ ...json, added_tokens: json.added_tokens.filter((t) => !t.special) },
  { ...config, additional_special_tokens: [] });

const result = { ids: [], idsWithSpecialTokens: [], idsParsingSpecialTokens: [], decoded: [] };
for (const text of texts) {
  const ids = ordinary.encode(text, { add_special_tokens: false }).ids;
  result.ids.push(ids);
  result.idsWithSpecialTokens.push(ordinary.encode(text, { add_special_tokens: true }).ids);
  result.idsParsingSpecialTokens.push(full.encode(text, { add_special_tokens: false }).ids);
  result.decoded.push(ids.length === 0 ? ""
    : full.decode(ids, { skip_special_tokens: true, clean_up_tokenization_spaces: false }));
}
process.stdout.write(JSON.stringify(result));
