// Where the service under test runs: DCP_URL (default http://localhost:8080), and the model id it serves.
export const BASE = (process.env.DCP_URL ?? "http://localhost:8080").replace(/\/$/, "");

export async function servedModel() {
  const models = await (await fetch(`${BASE}/v1/models`)).json();
  return models.data[0].id;
}

export async function explain(requestId) {
  const response = await fetch(`${BASE}/explain/${requestId}`);
  if (!response.ok) {
    throw new Error(`GET /explain/${requestId}: ${response.status}`);
  }
  return response.json();
}
