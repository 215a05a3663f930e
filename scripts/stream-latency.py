#!/usr/bin/env python3
"""Time to first token and inter-token latency of /generate_stream, as a client sees them.

    scripts/stream-latency.py URL LABEL CLIENTS REQUESTS MAX_NEW_TOKENS [CSV]

CLIENTS threads each send REQUESTS streams one after the other (greedy, tracing on) and note when every token's
event arrives. Prints one line: label, clients, streams, TTFT p50/p99 and inter-token p50/p99 in ms; appends
it to CSV when given. Standard library only, so it runs wherever python3 does.
"""
import http.client
import json
import sys
import threading
import time
from urllib.parse import urlparse


def stream_once(url, prompt, max_new_tokens):
    """Arrival times (seconds from the request) of every token event of one stream."""
    target = urlparse(url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=120)
    body = json.dumps({"inputs": prompt, "parameters": {"max_new_tokens": max_new_tokens}})
    start = time.perf_counter()
    connection.request("POST", "/generate_stream", body, {"Content-Type": "application/json"})
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"{response.status}: {response.read()[:200]!r}")
    arrivals = []
    for line in response:
        if line.startswith(b"data:"):
            event = json.loads(line[5:])
            if "error" in event:
                raise RuntimeError(event["error"])
            arrivals.append(time.perf_counter() - start)
    connection.close()
    return arrivals


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


def main():
    url, label, clients, requests, max_new_tokens = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    csv = sys.argv[6] if len(sys.argv) > 6 else None
    first, gaps, lock = [], [], threading.Lock()

    def client(index):
        for i in range(requests):
            arrivals = stream_once(url, f"Once upon a time, client {index} told story {i}", max_new_tokens)
            with lock:
                first.append(arrivals[0])
                # The last event waits for the trace commit in both versions: only gaps between token events count.
                gaps.extend(b - a for a, b in zip(arrivals[:-2], arrivals[1:-1]))

    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ms = lambda v: f"{v * 1000:.2f}"
    row = [label, str(clients), str(len(first)), ms(percentile(first, 50)), ms(percentile(first, 99)),
           ms(percentile(gaps, 50)), ms(percentile(gaps, 99))]
    print("label=%s clients=%s streams=%s ttft_p50_ms=%s ttft_p99_ms=%s itl_p50_ms=%s itl_p99_ms=%s" % tuple(row))
    if csv:
        with open(csv, "a") as out:
            out.write(",".join(row) + "\n")


if __name__ == "__main__":
    main()
