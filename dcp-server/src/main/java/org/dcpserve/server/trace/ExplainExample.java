package org.dcpserve.server.trace;

/**
 * A real /explain response, shown in Swagger UI: stories260K with random DCP gates (rank 8, beta 2.0 in every
 * layer), "Once upon a time", 8 new tokens, greedy.
 */
final class ExplainExample {

    static final String JSON = """
            {
              "request_id": "ca260cfb-a7ab-41e8-9690-b58161b6558c",
              "model": "stories260K-gated-2.0",
              "policy": "dcp",
              "prompt": "Once upon a time",
              "generated_text": ", there was a little girl",
              "created_at": "2026-11-25T00:11:53.801734Z",
              "finish_reason": "length",
              "prompt_tokens": 5,
              "generated_tokens": 8,
              "tokens_fed": 12,
              "sparsity": 0.07272727272727274,
              "kv_cache_bytes": 16416,
              "dense_kv_cache_bytes": 15360,
              "tokens": [
                {"position": 0, "id": 1, "text": "<s>", "prompt": true},
                {"position": 1, "id": 403, "text": " Once", "prompt": true},
                {"position": 2, "id": 407, "text": " upon", "prompt": true},
                {"position": 3, "id": 261, "text": " a", "prompt": true},
                {"position": 4, "id": 378, "text": " time", "prompt": true},
                {"position": 5, "id": 432, "text": ",", "prompt": false},
                {"position": 6, "id": 383, "text": " there", "prompt": false},
                {"position": 7, "id": 286, "text": " was", "prompt": false},
                {"position": 8, "id": 261, "text": " a", "prompt": false},
                {"position": 9, "id": 376, "text": " little", "prompt": false},
                {"position": 10, "id": 298, "text": " g", "prompt": false},
                {"position": 11, "id": 315, "text": "ir", "prompt": false},
                {"position": 12, "id": 421, "text": "l", "prompt": false}
              ],
              "layers": [
                {"layer": 0, "kept": 9, "dropped": 3, "kept_fraction": 0.75, "drops": [
                  {"position": 0, "text": "<s>", "step": 0, "dropper_position": 1, "dropper_text": " Once"},
                  {"position": 4, "text": " time", "step": 7, "dropper_position": 11, "dropper_text": "ir"},
                  {"position": 7, "text": " was", "step": 5, "dropper_position": 9, "dropper_text": " little"}
                ]},
                {"layer": 1, "kept": 10, "dropped": 2, "kept_fraction": 0.8333333333333334, "drops": [
                  {"position": 3, "text": " a", "step": 1, "dropper_position": 5, "dropper_text": ","},
                  {"position": 7, "text": " was", "step": 7, "dropper_position": 11, "dropper_text": "ir"}
                ]},
                {"layer": 2, "kept": 12, "dropped": 0, "kept_fraction": 1.0, "drops": []},
                {"layer": 3, "kept": 11, "dropped": 1, "kept_fraction": 0.9166666666666666, "drops": [
                  {"position": 7, "text": " was", "step": 7, "dropper_position": 11, "dropper_text": "ir"}
                ]},
                {"layer": 4, "kept": 12, "dropped": 0, "kept_fraction": 1.0, "drops": []}
              ]
            }""";

    private ExplainExample() {
    }
}
