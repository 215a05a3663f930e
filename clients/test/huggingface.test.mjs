// @huggingface/inference 3.x, unmodified, pointed at the service root as TGI users do.
import { test } from "node:test";
import assert from "node:assert/strict";
import { InferenceClient } from "@huggingface/inference";
import { BASE, explain } from "./common.mjs";

const hf = new InferenceClient().endpoint(BASE);
const prompt = "Once upon a time";

test("textGeneration with details and stop", async () => {
  const greedy = await hf.textGeneration({ inputs: prompt, parameters: { max_new_tokens: 12, details: true } });
  assert.equal(typeof greedy.generated_text, "string");
  assert.equal(greedy.details.generated_tokens, greedy.details.tokens.length);
  assert.ok(["length", "eos_token"].includes(greedy.details.finish_reason));
  await explain(greedy.request_id);

  // A stop sequence from the middle of the greedy text: generation ends there, the stop kept (TGI's rule).
  const text = greedy.generated_text;
  const stop = text.slice(Math.floor(text.length / 2), Math.floor(text.length / 2) + 2);
  const stopped = await hf.textGeneration({
    inputs: prompt,
    parameters: { max_new_tokens: 12, details: true, stop: [stop] },
  });
  assert.equal(stopped.details.finish_reason, "stop_sequence");
  assert.equal(stopped.generated_text, text.slice(0, text.indexOf(stop) + stop.length));
});

test("textGenerationStream with details and stop", async () => {
  const whole = await hf.textGeneration({ inputs: prompt, parameters: { max_new_tokens: 10 } });
  const stop = whole.generated_text.slice(-3);
  let streamed = "";
  let last;
  for await (const event of hf.textGenerationStream({
    inputs: prompt,
    parameters: { max_new_tokens: 10, details: true, stop: [stop] },
  })) {
    assert.equal(typeof event.token.id, "number");
    if (!event.token.special) {
      streamed += event.text_delta;
    }
    last = event;
  }
  assert.equal(last.generated_text, streamed);
  assert.equal(last.details.generated_tokens, last.index);
  assert.ok(last.generated_text.includes(stop));
  assert.ok(["stop_sequence", "length", "eos_token"].includes(last.details.finish_reason));
  await explain(last.request_id);
});

test("an error surfaces its message through the client", async () => {
  await assert.rejects(
    hf.textGeneration({ inputs: prompt, parameters: { max_new_tokens: 5, best_of: 2 } }),
    (error) => error.message.includes("best_of 2 is not supported"),
  );
});
