#!/usr/bin/env python3
"""An OpenAI-style chat upstream that fails a share of calls in random ways (for soak.sh).

POST /v1/chat/completions answers a completion, or with "stream": true an SSE stream. With
probability --fail-rate a call fails instead, picked at random from: 429 (Retry-After: 0),
500, 502, 503, 529, the connection closed without an answer, and a stall of --stall seconds
(the gateway's attempt timeout fires first). A failing stream fails before its first chunk:
an error status, or an error event as its first event. Counts are printed on SIGTERM.
Standard library only.
"""
import argparse
import json
import random
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

COMPLETION = json.dumps({
    "id": "chatcmpl-soak", "object": "chat.completion", "created": 1, "model": "m",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"},
                 "finish_reason": "stop"}],
    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
}).encode()


def chunk(text, finish=None):
    return "data: " + json.dumps({
        "id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}],
    }) + "\n\n"


STREAM = (chunk("o") + chunk("k", "stop") + "data: [DONE]\n\n").encode()
ERROR_EVENT = b'data: {"error":{"message":"overloaded"}}\n\n'
MODES = ["429", "500", "502", "503", "529", "close", "stall"]
counts = {}
lock = threading.Lock()


def count(key):
    with lock:
        counts[key] = counts.get(key, 0) + 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        stream = b'"stream":true' in body.replace(b" ", b"")
        if random.random() >= self.server.fail_rate:
            count("ok")
            if stream:
                self.send(200, STREAM, "text/event-stream")
            else:
                self.send(200, COMPLETION)
            return
        mode = random.choice(MODES + (["event"] if stream else []))
        count(mode)
        if mode == "close":
            self.close_connection = True
            return
        if mode == "stall":
            time.sleep(self.server.stall)
            self.close_connection = True
            return
        if mode == "event":
            self.send(200, ERROR_EVENT, "text/event-stream")
            return
        extra = [("Retry-After", "0")] if mode == "429" else []
        self.send(int(mode), b'{"error":{"message":"soak failure ' + mode.encode() + b'"}}',
                  extra=extra)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--fail-rate", type=float, default=0.3)
    ap.add_argument("--stall", type=float, default=3.0)
    a = ap.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", a.port), Handler)
    server.daemon_threads = True
    server.fail_rate = a.fail_rate
    server.stall = a.stall

    def stop(*_):
        print("COUNTS " + json.dumps(counts, sort_keys=True), flush=True)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
