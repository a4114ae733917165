#!/usr/bin/env python3
"""Load for soak.sh: --connections threads, each on its own keep-alive connection, send chat
calls to the gateway for --duration seconds; every --stream-every-th call streams. A call is
a client-visible failure unless it is a 200 whose body is a completion, or a stream that ends
with [DONE] and carries no error event. Prints one RESULT line of JSON. Standard library only.
"""
import argparse
import http.client
import json
import threading
import time


def worker(a, deadline, out):
    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
    n = ok = failed = 0
    failures = {}
    while time.monotonic() < deadline:
        n += 1
        stream = a.stream_every > 0 and n % a.stream_every == 0
        body = {"model": "chat", "messages": [{"role": "user", "content": "hi"}]}
        if stream:
            body["stream"] = True
        try:
            conn.request("POST", "/v1/chat/completions", json.dumps(body),
                         {"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            good = r.status == 200 and (
                (b"data: [DONE]" in data and b'"error"' not in data) if stream
                else b'"choices"' in data)
            why = str(r.status) if not good else ""
        except Exception as e:  # a broken connection is a client-visible failure too
            good, why = False, type(e).__name__
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=30)
        if good:
            ok += 1
        else:
            failed += 1
            failures[why] = failures.get(why, 0) + 1
    out.append((ok, failed, failures))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--duration", type=float, default=300)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--stream-every", type=int, default=5)
    a = ap.parse_args()
    deadline = time.monotonic() + a.duration
    out = []
    threads = [threading.Thread(target=worker, args=(a, deadline, out))
               for _ in range(a.connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ok = sum(o[0] for o in out)
    failed = sum(o[1] for o in out)
    why = {}
    for o in out:
        for k, v in o[2].items():
            why[k] = why.get(k, 0) + v
    print("RESULT " + json.dumps({"calls": ok + failed, "ok": ok, "client_visible_failures": failed,
                                  "failures_by_status": why, "seconds": a.duration,
                                  "calls_per_s": round((ok + failed) / a.duration, 1)}))


if __name__ == "__main__":
    main()
