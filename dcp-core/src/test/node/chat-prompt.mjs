// The prompt ids of chat conversations as transformers.js's apply_chat_template makes them, the reference
// that the chat tests compare the service's prompt with: the chat_template of tokenizer_config.json rendered
// by @huggingface/jinja with the messages, add_generation_prompt and the tokenizer's special tokens, then the
// text encoded by tokenizers.js with special tokens found in it and none added (add_special_tokens: false).
//   node chat-prompt.mjs <dir with tokenizer.json and tokenizer_config.json> <conversations.json>
// conversations.json: [{"messages": [{"role", "content"}, ...], "add_generation_prompt": true}, ...]
// Prints one JSON array: for each conversation {"text": the rendered prompt, "ids": its token ids}.
import { Template } from "@huggingface/jinja";
import { Tokenizer } from "@huggingface/tokenizers";
import fs from "node:fs";
import path from "node:path";

const [dir, conversationsFile] = process.argv.slice(2);
const json = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8"));
const config = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8"));
const conversations = JSON.parse(fs.readFileSync(conversationsFile, "utf8"));

const tokenizer = new Tokenizer(json, config);
const template = new Template(config.chat_template);
// What transformers.js hands every template: each special token the config names, as its text.
const specialTokens = {};
for (const key of ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]) {
  const token = config[key];
  const text = token !== null && typeof token === "object" ? token.content : token;
  if (typeof text === "string") specialTokens[key] = text;
}

const results = conversations.map(({ messages, add_generation_prompt }) => {
  const text = template.render({ messages, add_generation_prompt, tools: null, documents: null, ...specialTokens });
  return { text, ids: tokenizer.encode(text, { add_special_tokens: false }).ids };
});
process.stdout.write(JSON.stringify(results));
