// The openai SDK, unmodified, against /v1.
import { test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { BASE, explain, servedModel } from "./common.mjs";

const openai = new OpenAI({ baseURL: `${BASE}/v1`, apiKey: "not-needed", maxRetries: 0 });

test("models.list", async () => {
  const ids = [];
  for await (const model of openai.models.list()) {
    ids.push(model.id);
  }
  assert.deepEqual(ids, [await servedModel()]);
});

test("completions.create", async () => {
  const completion = await openai.completions.create({
    model: await servedModel(),
    prompt: "Once upon a time",
    max_tokens: 12,
    temperature: 0,
  });
  assert.equal(completion.object, "text_completion");
  assert.equal(typeof completion.choices[0].text, "string");
  assert.ok(["length", "stop"].includes(completion.choices[0].finish_reason));
  assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
  const trace = await explain(completion.request_id);
  assert.equal(trace.prompt, "Once upon a time");
});

test("chat.completions.create", async () => {
  const chat = await openai.chat.completions.create({
    model: await servedModel(),
    messages: [{ role: "user", content: "Tell me a story about a dog." }],
    max_tokens: 16,
    temperature: 0,
  });
  assert.equal(chat.choices[0].message.role, "assistant");
  assert.equal(typeof chat.choices[0].message.content, "string");
  await explain(chat.request_id);
});

test("chat.completions.create streaming", async () => {
  const model = await servedModel();
  const messages = [{ role: "user", content: "Tell me a story about a dog." }];
  const whole = await openai.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0 });
  const stream = await openai.chat.completions.create({ model, messages, max_tokens: 16, temperature: 0, stream: true });
  let content = "";
  let finish = null;
  for await (const chunk of stream) {
    content += chunk.choices[0]?.delta?.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  assert.equal(content, whole.choices[0].message.content);
  assert.ok(["length", "stop"].includes(finish));
});

test("an error surfaces its message through the SDK", async () => {
  await assert.rejects(
    openai.completions.create({ model: await servedModel(), prompt: "x", max_tokens: 100000 }),
    (error) => error instanceof OpenAI.APIError && error.status === 422 && /max_tokens/.test(error.message)
      && !/max_new_tokens/.test(error.message),
  );
  await assert.rejects(
    openai.completions.create({ model: "gpt-4", prompt: "x" }),
    (error) => error instanceof OpenAI.NotFoundError && error.message.includes("The model 'gpt-4' does not exist"),
  );
});
