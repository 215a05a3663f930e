// dcp-serve web view: the playground (index.html) and the drop-trace view (explain.html).
// Plain DOM code against the JSON API; no framework, no build step, no inline script (the pages' CSP forbids it):
// each page names its view in <body data-view>, started at the end of this file.
"use strict";

const DcpView = (() => {
  const $ = (id) => document.getElementById(id);
  const percent = (x) => (100 * x).toFixed(1) + "%";

  // The API key, when the server has keys on: kept for this tab only (sessionStorage), sent as a Bearer token.
  const KEY = "dcp-api-key";

  function keyField() {
    const field = $("api-key");
    field.value = sessionStorage.getItem(KEY) || "";
    field.addEventListener("change", () => {
      if (field.value) sessionStorage.setItem(KEY, field.value.trim());
      else sessionStorage.removeItem(KEY);
      // The trace and statistics views fetch on load: load them again with the key.
      if (document.body.dataset.view !== "playground") location.reload();
    });
  }

  /** Fetches JSON; a problem detail (RFC 9457) becomes an Error carrying its detail text. */
  async function fetchJson(url, options = {}) {
    const key = sessionStorage.getItem(KEY);
    const headers = key ? { ...options.headers, Authorization: "Bearer " + key } : options.headers;
    const response = await fetch(url, { ...options, headers });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) {
      throw new Error(body.detail || body.title || ("HTTP " + response.status));
    }
    return body;
  }

  function el(tag, attributes = {}, text = "") {
    const node = document.createElement(tag);
    Object.entries(attributes).forEach(([name, value]) => node.setAttribute(name, value));
    node.textContent = text;
    return node;
  }

  async function playground() {
    fetchJson("info").then((info) => { $("model-name").textContent = info.model_id; }).catch(() => {});
    $("generate-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      $("error").textContent = "";
      $("generate").disabled = true;
      try {
        const parameters = {
          max_new_tokens: Number($("max-new-tokens").value),
          temperature: Number($("temperature").value),
          details: true,   // the default is false, as in TGI
        };
        if (!$("pruning").checked) {
          parameters.pruning = false;
        }
        const result = await fetchJson("generate", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ inputs: $("prompt").value, parameters }),
        });
        const details = result.details;
        $("result-prompt").textContent = $("prompt").value;
        $("result-text").textContent = result.generated_text;
        $("result-sparsity").textContent = percent(details.pruning.sparsity);
        $("result-kv").textContent = percent(details.pruning.kv_cache_bytes / details.pruning.dense_kv_cache_bytes);
        $("result-speed").textContent = details.timings.decode_tokens_per_second.toFixed(0);
        $("explain-link").href = "explain.html?id=" + encodeURIComponent(result.request_id);
        $("result").hidden = false;
      } catch (error) {
        $("error").textContent = error.message;
      } finally {
        $("generate").disabled = false;
      }
    });
  }

  async function explain(requestId) {
    if (!requestId) {
      $("error").textContent = "No request id: open this page as explain.html?id=<request_id>.";
      return;
    }
    $("request-id").textContent = requestId;
    let trace;
    try {
      trace = await fetchJson("explain/" + encodeURIComponent(requestId));
    } catch (error) {
      $("error").textContent = error.message;
      return;
    }
    $("model").textContent = trace.model;
    $("policy").textContent = trace.policy;
    $("sparsity").textContent = percent(trace.sparsity);
    $("kv-bytes").textContent = percent(trace.kv_cache_bytes / trace.dense_kv_cache_bytes);
    $("tokens-fed").textContent = trace.tokens_fed;

    // dropsAt[position] = the drops of that token, one per layer that dropped it.
    const dropsAt = new Map();
    trace.layers.forEach((layer) => layer.drops.forEach((drop) => {
      if (!dropsAt.has(drop.position)) dropsAt.set(drop.position, []);
      dropsAt.get(drop.position).push({ layer: layer.layer, ...drop });
    }));

    renderText(trace, dropsAt);
    renderLayerBars(trace);
    renderGrid(trace, dropsAt);
    renderRanking(trace, dropsAt);
    $("explanation").hidden = false;
  }

  function renderText(trace, dropsAt) {
    const strip = $("text");
    trace.tokens.forEach((token) => {
      const span = el("span", {
        class: "tok" + (token.prompt ? " prompt" : ""),
        "data-position": token.position,
        "data-drops": (dropsAt.get(token.position) || []).length,
        title: "position " + token.position,
      }, token.text);
      span.addEventListener("click", () => select(trace, dropsAt, token));
      strip.appendChild(span);
    });
  }

  function select(trace, dropsAt, token) {
    document.querySelectorAll(".selected").forEach((node) => node.classList.remove("selected"));
    document.querySelectorAll('[data-position="' + token.position + '"]').forEach((node) => node.classList.add("selected"));
    const drops = dropsAt.get(token.position) || [];
    const detail = $("token-detail");
    detail.textContent = "";
    detail.appendChild(el("b", {}, JSON.stringify(token.text) + " at position " + token.position + ": "));
    if (drops.length === 0) {
      detail.appendChild(document.createTextNode("kept by every layer."));
      return;
    }
    const list = el("ul");
    drops.forEach((drop) => list.appendChild(el("li", {},
      "layer " + drop.layer + " dropped it at step " + drop.step + " (" + (drop.step === 0 ? "prefill" : "decode") +
      "), on the vote of " + JSON.stringify(drop.dropper_text) + " at position " + drop.dropper_position)));
    detail.appendChild(document.createTextNode("dropped by " + drops.length + " of " + trace.layers.length + " layers"));
    detail.appendChild(list);
  }

  function renderLayerBars(trace) {
    const bars = $("layer-bars");
    trace.layers.forEach((layer) => {
      bars.appendChild(el("span", {}, "layer " + layer.layer));
      const bar = el("div", { class: "bar" });
      const fill = el("span");
      fill.style.width = percent(layer.kept_fraction);   // through the DOM: a style attribute breaks the CSP
      bar.appendChild(fill);
      bars.appendChild(bar);
      bars.appendChild(el("span", { class: "muted" }, layer.kept + " kept, " + layer.dropped + " dropped"));
    });
  }

  function renderGrid(trace, dropsAt) {
    const grid = $("grid");
    const fed = trace.tokens.filter((token) => token.position < trace.tokens_fed);
    trace.layers.forEach((layer) => {
      const row = el("tr", { "data-layer": layer.layer });
      row.appendChild(el("th", {}, "layer " + layer.layer));
      const dropped = new Map(layer.drops.map((drop) => [drop.position, drop]));
      fed.forEach((token) => {
        const drop = dropped.get(token.position);
        const cell = el("td", {
          class: "cell" + (drop ? " dropped" : ""),
          "data-position": token.position,
          title: JSON.stringify(token.text) + (drop
            ? " dropped at step " + drop.step + " by " + JSON.stringify(drop.dropper_text)
            : " kept"),
        });
        cell.addEventListener("click", () => select(trace, dropsAt, token));
        row.appendChild(cell);
      });
      grid.appendChild(row);
    });
  }

  function renderRanking(trace, dropsAt) {
    const counts = new Map();
    trace.tokens.forEach((token) => {
      const drops = (dropsAt.get(token.position) || []).length;
      if (drops > 0) counts.set(token.text, (counts.get(token.text) || 0) + drops);
    });
    [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).forEach(([text, count]) =>
      $("ranking").appendChild(el("li", {}, JSON.stringify(text) + " × " + count)));
  }

  /** A token's text as a reader sees it: whitespace made visible. */
  const shown = (text) => JSON.stringify(text).slice(1, -1);

  async function stats() {
    const load = async () => {
      $("error").textContent = "";
      const query = new URLSearchParams({ min_count: $("min-count").value || "1", limit: "20" });
      if ($("layer").value !== "") query.set("layer", $("layer").value);
      let data;
      try {
        data = await fetchJson("explain/stats?" + query);
      } catch (error) {
        $("error").textContent = error.message;
        return;
      }
      $("stats-model").textContent = data.model;
      $("requests").textContent = data.requests;
      $("tokens").textContent = data.tokens;
      const heat = $("heatmap");
      heat.replaceChildren();
      const head = el("tr");
      head.appendChild(el("th", {}, "token"));
      data.heatmap.layers.forEach((layer) => head.appendChild(el("th", {}, "L" + layer)));
      head.appendChild(el("th", {}, "examples"));
      heat.appendChild(head);
      const lifetimes = new Map(data.top_dropped.concat(data.top_kept).map((t) => [t.token_id, t]));
      data.heatmap.rows.forEach((row) => {
        const tr = el("tr", { "data-token-id": row.token_id });
        tr.appendChild(el("th", { class: "token" }, shown(row.text)));
        row.drop_rates.forEach((rate, i) => {
          const cell = el("td", { class: "heat", title: rate === null ? "not seen"
            : percent(rate) + " of " + row.seen[i] + " dropped" }, rate === null ? "" : (100 * rate).toFixed(0));
          if (rate !== null) cell.style.background = `rgba(200, 60, 40, ${0.1 + 0.9 * rate})`;
          tr.appendChild(cell);
        });
        const examples = el("td", { class: "examples" });
        (lifetimes.get(row.token_id)?.examples || []).forEach((id, i) =>
          examples.appendChild(el("a", { class: "example", href: "explain.html?id=" + encodeURIComponent(id) },
            "#" + (i + 1))));
        tr.appendChild(examples);
        heat.appendChild(tr);
      });
      const table = (id, header, rows) => {
        const t = $(id);
        t.replaceChildren();
        const h = el("tr");
        header.forEach((name) => h.appendChild(el("th", {}, name)));
        t.appendChild(h);
        rows.forEach((cells) => {
          const r = el("tr");
          cells.forEach((c) => r.appendChild(el("td", {}, String(c))));
          t.appendChild(r);
        });
      };
      table("layers", ["layer", "seen", "dropped", "sparsity", "mean lifetime"], data.layers.map((l) =>
        [l.layer, l.seen, l.dropped, percent(l.sparsity), l.mean_lifetime.toFixed(1)]));
      table("positions", ["positions", "seen", "dropped", "sparsity"], data.positions.map((b) =>
        [b.from + "-" + (b.to - 1), b.seen, b.dropped, percent(b.sparsity)]));
      table("lifetimes", ["tokens later", "drops"], data.lifetimes.map((b) => [b.from + "-" + (b.to - 1), b.dropped]));
      $("stats").hidden = false;
    };
    $("stats-form").addEventListener("submit", (event) => { event.preventDefault(); load(); });
    await load();
  }

  return { playground, explain, stats, keyField };
})();

DcpView.keyField();
({
  playground: () => DcpView.playground(),
  explain: () => DcpView.explain(new URLSearchParams(location.search).get("id")),
  stats: () => DcpView.stats(),
})[document.body.dataset.view]();
