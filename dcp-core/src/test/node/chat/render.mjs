// Renders chat templates with the reference implementation, for ChatTemplateReferenceTest.
// stdin: [{"template": "...", "variables": {...}}, ...]; stdout: [{"output": "..."} | {"error": "..."}, ...]
// in the same order. A template that fails (raise_exception included) yields its error message.
import { Template } from "@huggingface/jinja";

let input = "";
for await (const chunk of process.stdin) input += chunk;

const results = JSON.parse(input).map(({ template, variables }) => {
  try {
    return { output: new Template(template).render(variables) };
  } catch (e) {
    return { error: String(e.message) };
  }
});
process.stdout.write(JSON.stringify(results));
