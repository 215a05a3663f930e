// node examples/huggingface.mjs  (DCP_URL, default http://localhost:8080)
import { InferenceClient } from "@huggingface/inference";

const hf = new InferenceClient().endpoint(process.env.DCP_URL ?? "http://localhost:8080");
const out = await hf.textGeneration({
  inputs: "Once upon a time",
  parameters: { max_new_tokens: 20, details: true, stop: ["."] },
});
console.log(out.generated_text, "|", out.details.finish_reason, "|", out.request_id);

process.stdout.write("stream:");
for await (const event of hf.textGenerationStream({ inputs: "The dog", parameters: { max_new_tokens: 12 } })) {
  process.stdout.write(event.token.text);
  if (event.generated_text !== null) console.log(" |", event.request_id);
}
