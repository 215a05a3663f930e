// node examples/openai.mjs  (DCP_URL, default http://localhost:8080)
import OpenAI from "openai";

const openai = new OpenAI({ baseURL: (process.env.DCP_URL ?? "http://localhost:8080") + "/v1", apiKey: "unused" });
const [model] = (await openai.models.list()).data;
console.log("model:", model.id);

const completion = await openai.completions.create({ model: model.id, prompt: "Once upon a time", max_tokens: 20,
  temperature: 0, stop: "." });
console.log(completion.choices[0].text, "|", completion.choices[0].finish_reason, "|", completion.usage,
  "|", completion.request_id);

const messages = [{ role: "user", content: "Tell me about a cat." }];
const chat = await openai.chat.completions.create({ model: model.id, messages, max_tokens: 24, temperature: 0 });
console.log(chat.choices[0].message.content);

process.stdout.write("stream:");
for await (const chunk of await openai.chat.completions.create({ model: model.id, messages, max_tokens: 24,
  temperature: 0, stream: true })) {
  process.stdout.write(chunk.choices[0]?.delta?.content ?? "");
}
console.log();

try {
  await openai.completions.create({ model: model.id, prompt: "x", max_tokens: 5000 });
} catch (error) {
  console.log(error.constructor.name, error.status, error.message);
}
