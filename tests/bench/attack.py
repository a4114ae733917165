#!/usr/bin/env python3
"""60-second mixed attack on one gateway process. A benchmark script, not a test.

Misbehaving clients, a misbehaving upstream and normal clients all run against one gateway at
once. The gateway passes if the normal clients see no errors and its RSS stays under 128 MB.
The script prints a small table and exits 0 on PASS, 1 on FAIL. See tests/bench/README.md.

Python 3.11 standard library only. Everything runs on 127.0.0.1.
"""

import argparse
import asyncio
import collections
import http.client
import itertools
import json
import os
import re
import resource
import selectors
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

RSS_LIMIT_MB = 128.0
REPLY_TEXT = "Hello! How can I help you today?"
SMUGGLED_TEXT = "SMUGGLED second response"


def chat_json(content):
    return json.dumps({
        "id": "chatcmpl-bench0001", "object": "chat.completion", "created": 1700000000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                     "logprobs": None, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 13, "completion_tokens": 7, "total_tokens": 20},
        "system_fingerprint": "fp_bench"}, separators=(",", ":")).encode()


CHAT = chat_json(REPLY_TEXT)
CHAT_SMUGGLED = chat_json(SMUGGLED_TEXT)
EMB = (b'{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.0023,-0.0093,'
       b'0.0158,-0.0071]}],"model":"text-embedding-3-small","usage":{"prompt_tokens":5,'
       b'"total_tokens":5}}')
NOT_FOUND = b'{"error":{"message":"not found"}}'
CHUNK_64K = 64 * 1024


def http_reply(payload, status=b"200 OK", ctype=b"application/json"):
    return (b"HTTP/1.1 " + status + b"\r\nContent-Type: " + ctype +
            b"\r\nContent-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)


# --------------------------------------------------------------------------- run control

class Ctx:
    """Shared stop flag and deadline; every loop in the script checks done()."""

    def __init__(self):
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.end = self.t0

    def start(self, seconds):
        self.t0 = time.monotonic()
        self.end = self.t0 + seconds

    def done(self):
        return self.stop.is_set() or time.monotonic() >= self.end

    def rel(self):
        return time.monotonic() - self.t0

    def sleep(self, seconds):
        """Sleep, but wake up when the run ends."""
        self.stop.wait(max(0.0, min(seconds, self.end - time.monotonic())))


# --------------------------------------------------------------------------- upstreams

async def read_request(reader):
    """One HTTP/1.1 request (Content-Length or chunked body). None at a clean EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) < 3:
        raise ValueError("bad request line")
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        body = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                while await reader.readuntil(b"\r\n") != b"\r\n":
                    pass
                break
            body += await reader.readexactly(size)
            await reader.readexactly(2)
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0") or 0))
    return parts[0], parts[1], headers, bytes(body)


async def _watch_eof(reader, closed):
    try:
        while await reader.read(65536):
            pass
    except Exception:
        pass
    closed.set()


class Upstream:
    """An asyncio HTTP server in its own thread with its own event loop."""

    def __init__(self, name, ctx, behaviour):
        self.name, self.ctx, self.behaviour = name, ctx, behaviour
        self.loop = asyncio.new_event_loop()
        self.port = None
        self.error = None
        self.ready = threading.Event()
        self.tasks = set()
        self.thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self):
        self.thread.start()
        self.ready.wait(10)
        if self.port is None:
            raise RuntimeError(f"upstream {self.name} did not start: {self.error}")

    def _run(self):
        asyncio.set_event_loop(self.loop)
        try:
            server = self.loop.run_until_complete(asyncio.start_server(
                self._conn, "127.0.0.1", 0, limit=1 << 20, backlog=1024))
            self.port = server.sockets[0].getsockname()[1]
        except Exception as ex:  # reported by start()
            self.error = ex
            self.ready.set()
            return
        self.ready.set()
        try:
            self.loop.run_forever()
        finally:
            server.close()
            for t in list(self.tasks):
                t.cancel()
            try:
                self.loop.run_until_complete(asyncio.wait_for(
                    asyncio.gather(*self.tasks, return_exceptions=True), 3))
            except Exception:
                pass
            self.loop.close()

    async def _conn(self, reader, writer):
        task = asyncio.current_task()
        self.tasks.add(task)
        try:
            while not self.ctx.stop.is_set():
                req = await read_request(reader)
                if req is None or not await self.behaviour(req, reader, writer):
                    break
        except (asyncio.CancelledError, Exception):
            pass
        finally:
            self.tasks.discard(task)
            try:
                writer.close()
            except Exception:
                pass

    def stop(self):
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


async def good_behaviour(req, reader, writer):
    method, target, headers, _ = req
    if target.endswith("/chat/completions"):
        writer.write(http_reply(CHAT))
    elif target.endswith("/embeddings"):
        writer.write(http_reply(EMB))
    else:
        writer.write(http_reply(NOT_FOUND, b"404 Not Found"))
    await writer.drain()
    return headers.get("connection", "").lower() != "close"


class BadUpstream:
    """Misbehaves per request, in rotation. Endless writers stop when the peer closes."""

    KINDS = ["early-hints", "surplus-bytes", "endless-chunk-ext", "endless-trailer",
             "content-length-5e9", "trickle", "reset-mid-body", "status-999", "garbage"]

    def __init__(self, ctx):
        self.ctx = ctx
        self.counter = itertools.count()
        self.served = collections.Counter()
        self.max_sent = collections.Counter()  # kind -> most bytes written on one connection

    async def __call__(self, req, reader, writer):
        i = next(self.counter)
        kind = self.KINDS[i % len(self.KINDS)]
        self.served[kind] += 1
        return await getattr(self, kind.replace("-", "_"))(reader, writer, i // len(self.KINDS))

    async def _endless(self, kind, reader, writer, first, block):
        """Write first, then block after block until the peer closes (or the run ends)."""
        closed = asyncio.Event()
        watcher = asyncio.ensure_future(_watch_eof(reader, closed))
        sent = 0
        try:
            writer.write(first)
            sent += len(first)
            while not closed.is_set() and not writer.transport.is_closing() and not self.ctx.done():
                if writer.transport.get_write_buffer_size() > 256 * 1024:
                    await asyncio.sleep(0.02)
                    continue
                writer.write(block)
                sent += len(block)
                await asyncio.sleep(0)
        finally:
            watcher.cancel()
            self.max_sent[kind] = max(self.max_sent[kind], sent)
        return False

    async def early_hints(self, reader, writer, n):
        writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n"
                     + http_reply(CHAT))
        await writer.drain()
        return True

    async def surplus_bytes(self, reader, writer, n):
        # The reply, then a second, unrequested response on the same (kept) connection: a gateway
        # that pooled this connection would hand it to its next caller.
        writer.write(http_reply(CHAT) + http_reply(CHAT_SMUGGLED))
        await writer.drain()
        return True

    async def endless_chunk_ext(self, reader, writer, n):
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n5;ext=")
        return await self._endless("endless-chunk-ext", reader, writer, head, b"e" * CHUNK_64K)

    async def endless_trailer(self, reader, writer, n):
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + b"%x\r\n" % len(CHAT) + CHAT + b"\r\n0\r\n")
        if n % 2 == 0:  # one endless trailer field
            head += b"X-Trailer: "
            block = b"t" * CHUNK_64K
        else:  # endless list of 1 KiB trailer fields
            block = (b"X-T: " + b"t" * 1017 + b"\r\n") * 64
        return await self._endless("endless-trailer", reader, writer, head, block)

    async def content_length_5e9(self, reader, writer, n):
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000000000\r\n\r\n"
                b'{"id":"x","pad":"')
        return await self._endless("content-length-5e9", reader, writer, head, b"p" * CHUNK_64K)

    async def trickle(self, reader, writer, n):
        closed = asyncio.Event()
        watcher = asyncio.ensure_future(_watch_eof(reader, closed))
        data = http_reply(CHAT)
        try:
            for i in range(len(data)):
                if closed.is_set() or writer.transport.is_closing() or self.ctx.done():
                    return False
                writer.write(data[i:i + 1])
                await asyncio.sleep(0.1)
            return False
        finally:
            watcher.cancel()

    async def reset_mid_body(self, reader, writer, n):
        writer.write(http_reply(CHAT)[:-len(CHAT) // 2])
        await writer.drain()
        await asyncio.sleep(0.05)
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
        return False

    async def status_999(self, reader, writer, n):
        writer.write(http_reply(CHAT, b"999 Weird"))
        await writer.drain()
        return True

    async def garbage(self, reader, writer, n):
        writer.write(os.urandom(4096))
        await writer.drain()
        return False


# --------------------------------------------------------------------------- helpers (clients)

def connect(port, timeout):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def rst_close(s):
    """Close with RST: no TIME_WAIT left behind on our side (and one more misbehaviour)."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        s.close()
    except OSError:
        pass


STATUS_RE = re.compile(rb"HTTP/1\.[01] (\d{3})")


def read_answer(s, timeout, want_all=False):
    """Read what the gateway answers: its status code(s) as 'NNN' (joined by '+'), or
    'closed', 'reset', 'no answer'. want_all reads until close/timeout to count responses."""
    buf = b""
    deadline = time.monotonic() + timeout
    end = "no answer"
    while len(buf) < (1 << 20):
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            s.settimeout(left)
            d = s.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            end = "reset"
            break
        except OSError:
            end = "error"
            break
        if not d:
            end = "closed"
            break
        buf += d
        if not want_all and b"\r\n" in buf:
            break
    codes = [m.group(1).decode() for m in STATUS_RE.finditer(buf)
             if m.start() == 0 or buf[m.start() - 2:m.start()] == b"\r\n"]
    if codes:
        return "+".join(codes)
    return end if not buf else "garbage reply"


def size_bucket(n):
    for lim, name in ((64 << 10, "<64KiB"), (1 << 20, "<1MiB"), (16 << 20, "<16MiB"),
                      (256 << 20, "<256MiB")):
        if n < lim:
            return name
    return ">=256MiB"


class Record:
    def __init__(self, kind):
        self.kind = kind
        self.actions = 0
        self.outcomes = collections.Counter()


# --------------------------------------------------------------------------- attackers

def att_slowloris(ctx, port, rec):
    """Up to 100 sockets, each sending one more byte of a never-ending header every second."""
    stream = (b"POST /endpoints/good/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              b"Content-Type: application/json\r\n" + b"X-Slow: s\r\n" * 1000)
    sel = selectors.DefaultSelector()
    socks = {}
    try:
        while not ctx.done():
            tick = time.monotonic()
            for _ in range(min(25, 100 - len(socks))):
                try:
                    s = connect(port, 1)
                except OSError as ex:
                    rec.outcomes["connect failed: " + type(ex).__name__] += 1
                    break
                s.setblocking(False)
                socks[s] = [0, time.monotonic()]
                sel.register(s, selectors.EVENT_READ)
                rec.actions += 1
            for s, st in list(socks.items()):
                try:
                    s.send(stream[st[0]:st[0] + 1])
                    st[0] = (st[0] + 1) % len(stream)
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    pass  # the read side below reports it
            for key, _ in sel.select(0):
                s = key.fileobj
                try:
                    d = s.recv(4096)
                    m = STATUS_RE.match(d)
                    what = m.group(1).decode() if m else ("closed" if not d else "garbage reply")
                except ConnectionResetError:
                    what = "reset"
                except OSError:
                    what = "error"
                rec.outcomes[f"{what} after {time.monotonic() - socks[s][1]:.0f}s"] += 1
                sel.unregister(s)
                del socks[s]
                s.close()
            ctx.sleep(1.0 - (time.monotonic() - tick))
    finally:
        rec.outcomes["still open at end"] += len(socks)
        for s in socks:
            rst_close(s)
        sel.close()


def att_conn_flood(ctx, port, rec):
    """Hold up to 200 idle connections; re-open each one the gateway closes."""
    sel = selectors.DefaultSelector()
    socks = {}
    try:
        while not ctx.done():
            for _ in range(200 - len(socks)):
                if ctx.done():
                    break
                try:
                    s = connect(port, 1)
                except OSError as ex:
                    rec.outcomes["connect failed: " + type(ex).__name__] += 1
                    break
                s.setblocking(False)
                socks[s] = time.monotonic()
                sel.register(s, selectors.EVENT_READ)
                rec.actions += 1
            for key, _ in sel.select(0.2):
                s = key.fileobj
                try:
                    d = s.recv(4096)
                    m = STATUS_RE.match(d)
                    what = m.group(1).decode() if m else ("closed" if not d else "garbage reply")
                except ConnectionResetError:
                    what = "reset"
                except OSError:
                    what = "error"
                rec.outcomes[f"{what} after {time.monotonic() - socks[s]:.0f}s"] += 1
                sel.unregister(s)
                del socks[s]
                s.close()
    finally:
        rec.outcomes["still open at end"] += len(socks)
        for s in socks:
            rst_close(s)
        sel.close()


def _stream_forever(ctx, port, rec, head, block, cap=1 << 30):
    """Send head, then block after block until the gateway stops us; record its answer."""
    try:
        s = connect(port, 2)
    except OSError as ex:
        rec.outcomes["connect failed: " + type(ex).__name__] += 1
        ctx.sleep(0.1)
        return
    rec.actions += 1
    sent = 0
    try:
        try:
            s.sendall(head)
            sent += len(head)
            while not ctx.done() and sent < cap:
                s.sendall(block)
                sent += len(block)
        except (socket.timeout, OSError):
            pass  # the gateway stopped reading or closed: see what it answered
        what = read_answer(s, 2)
        rec.outcomes[f"{what} ({size_bucket(sent)} sent)"] += 1
    finally:
        rst_close(s)


def att_chunk_ext(ctx, port, rec):
    head = (b"POST /endpoints/good/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=")
    block = b"e" * CHUNK_64K
    while not ctx.done():
        _stream_forever(ctx, port, rec, head, block)


def att_trailer(ctx, port, rec):
    body = b'{"messages":[{"role":"user","content":"hi"}]}'
    base = (b"POST /endpoints/good/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            + b"%x\r\n" % len(body) + body + b"\r\n0\r\n")
    n = 0
    while not ctx.done():
        if n % 2 == 0:  # one endless trailer field
            _stream_forever(ctx, port, rec, base + b"X-Trailer: ", b"t" * CHUNK_64K)
        else:  # endless list of trailer fields
            _stream_forever(ctx, port, rec, base, (b"X-T: " + b"t" * 1017 + b"\r\n") * 64)
        n += 1


HUGE_JSON = None


def att_huge_json(ctx, port, rec):
    """~10 MB body of 5,000,000 tiny array elements to /v1/embeddings."""
    global HUGE_JSON
    if HUGE_JSON is None:
        HUGE_JSON = b'{"model":"good","input":[' + b"0," * 4999999 + b"0]}"
    head = (b"POST /v1/embeddings HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(HUGE_JSON)).encode() + b"\r\n\r\n")
    while not ctx.done():
        try:
            s = connect(port, 10)
        except OSError as ex:
            rec.outcomes["connect failed: " + type(ex).__name__] += 1
            ctx.sleep(0.1)
            continue
        rec.actions += 1
        t0 = time.monotonic()
        try:
            try:
                s.sendall(head)
                s.sendall(HUGE_JSON)
            except (socket.timeout, OSError):
                pass
            what = read_answer(s, 15)
            rec.outcomes[f"{what} in {'<1' if time.monotonic() - t0 < 1 else '>=1'}s"] += 1
        finally:
            rst_close(s)


def _smuggle_variants():
    smuggled = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    msg = b'{"messages":[{"role":"user","content":"hi"}]}'
    chunked = b"%x\r\n" % len(msg) + msg + b"\r\n0\r\n\r\n"

    def req(te_lines, body, cl=None):
        h = b"POST /endpoints/good/invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        for line in te_lines:
            h += line + b"\r\n"
        if cl is not None:
            h += b"Content-Length: " + str(cl).encode() + b"\r\n"
        return h + b"\r\n" + body

    b1 = b"0\r\n\r\n" + smuggled
    return [
        ("TE xchunked + CL", req([b"Transfer-Encoding: xchunked"], b1, len(b1))),
        ("TE xchunked", req([b"Transfer-Encoding: xchunked"], chunked + smuggled)),
        ("TE chunked + short CL", req([b"Transfer-Encoding: chunked"], chunked + smuggled, 4)),
        ("TE chunked + long CL", req([b"Transfer-Encoding: chunked"], b"0\r\n\r\n" + smuggled,
                                     len(b"0\r\n\r\n" + smuggled))),
        ("TE space-colon", req([b"Transfer-Encoding : chunked"], chunked + smuggled, len(chunked))),
        ("TE chunked + TE xchunked", req([b"Transfer-Encoding: chunked", b"Transfer-Encoding: xchunked"],
                                         chunked + smuggled)),
        ("TE chunked, xchunked", req([b"Transfer-Encoding: chunked, xchunked"], chunked + smuggled)),
        ("TE xchunked, chunked", req([b"Transfer-Encoding: xchunked, chunked"], chunked + smuggled)),
        ("TE obs-fold", req([b"Transfer-Encoding: xchunked", b" chunked"], chunked + smuggled)),
        ("TE \\x0bchunked", req([b"Transfer-Encoding: \x0bchunked"], chunked + smuggled, len(chunked))),
        ("double CL", req([b"Content-Length: 0"], msg, len(msg))),
    ]


def att_smuggle(ctx, port, rec):
    """Transfer-Encoding: xchunked and other ambiguous framings, each with a smuggled GET behind."""
    variants = _smuggle_variants()
    n = 0
    while not ctx.done():
        name, raw = variants[n % len(variants)]
        n += 1
        try:
            s = connect(port, 2)
        except OSError as ex:
            rec.outcomes["connect failed: " + type(ex).__name__] += 1
            ctx.sleep(0.1)
            continue
        rec.actions += 1
        try:
            try:
                s.sendall(raw)
            except OSError:
                pass
            what = read_answer(s, 1.0, want_all=True)
            rec.outcomes[f"{name}: {what}"] += 1
        finally:
            rst_close(s)
        ctx.sleep(0.005)


def att_xuser_spray(ctx, port, rec):
    """A new random 16,000-character X-User value on every call of the header-keyed limit."""
    body = b'{"messages":[{"role":"user","content":"hi"}]}'
    conn = None
    while not ctx.done():
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            rec.actions += 1
            conn.request("POST", "/endpoints/limited/invocations", body=body,
                         headers={"Content-Type": "application/json", "X-User": os.urandom(8000).hex()})
            r = conn.getresponse()
            r.read()
            rec.outcomes[str(r.status)] += 1
        except Exception as ex:
            rec.outcomes[type(ex).__name__] += 1
            if conn is not None:
                conn.close()
            conn = None
            ctx.sleep(0.01)
    if conn is not None:
        conn.close()


def _oversized_variants():
    base = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    return [
        ("64KiB header", base + b"X-Big: " + b"a" * 65536 + b"\r\n\r\n"),
        ("2000 headers", base + b"".join(b"X-H-%d: v\r\n" % i for i in range(2000)) + b"\r\n"),
        ("100KB URL", b"GET /health?" + b"q" * 100000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        ("1MiB header", base + b"X-Big: " + b"a" * (1 << 20) + b"\r\n\r\n"),
        ("16385B head", base + b"X-Pad: " + b"p" * (16385 - len(base) - 11) + b"\r\n\r\n"),
    ]


def att_oversized(ctx, port, rec):
    variants = _oversized_variants()
    n = 0
    while not ctx.done():
        name, raw = variants[n % len(variants)]
        n += 1
        try:
            s = connect(port, 2)
        except OSError as ex:
            rec.outcomes["connect failed: " + type(ex).__name__] += 1
            ctx.sleep(0.1)
            continue
        rec.actions += 1
        try:
            try:
                s.sendall(raw)
            except OSError:
                pass
            rec.outcomes[f"{name}: {read_answer(s, 2)}"] += 1
        finally:
            rst_close(s)
        ctx.sleep(0.005)


def att_garbage(ctx, port, rec):
    variants = [
        ("1B", lambda: os.urandom(1)),
        ("64B", lambda: os.urandom(64)),
        ("4KiB", lambda: os.urandom(4096)),
        ("1MiB", lambda: os.urandom(1 << 20)),
        ("TLS hello", lambda: b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(500)),
        ("CRLF x10000", lambda: b"\r\n" * 10000),
        ("NUL in request line", lambda: b"GET /he\x00alth HTTP/1.1\r\nHost: x\r\n\r\n"),
        ("line + random", lambda: b"POST /endpoints/good/invocations HTTP/1.1\r\n" + os.urandom(2048)),
    ]
    n = 0
    while not ctx.done():
        name, make = variants[n % len(variants)]
        n += 1
        try:
            s = connect(port, 2)
        except OSError as ex:
            rec.outcomes["connect failed: " + type(ex).__name__] += 1
            ctx.sleep(0.1)
            continue
        rec.actions += 1
        try:
            try:
                s.sendall(make())
            except OSError:
                pass
            rec.outcomes[f"{name}: {read_answer(s, 2.5)}"] += 1
        finally:
            rst_close(s)
        ctx.sleep(0.005)


def att_bad_caller(ctx, port, rec):
    """Calls the `bad` endpoint, whose upstream misbehaves; its errors are expected."""
    inv = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    oai = json.dumps({"model": "bad", "messages": [{"role": "user", "content": "hi"}]}).encode()
    conn = None
    n = 0
    while not ctx.done():
        n += 1
        path, body = ("/v1/chat/completions", oai) if n % 3 == 0 else ("/endpoints/bad/invocations", inv)
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            rec.actions += 1
            conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            what = str(r.status)
            if r.status == 200:
                try:
                    content = json.loads(data)["choices"][0]["message"]["content"]
                    what += "" if content == REPLY_TEXT else (" SMUGGLED" if content == SMUGGLED_TEXT
                                                              else " unexpected content")
                except Exception:
                    what += " unparsable"
            rec.outcomes[what] += 1
        except Exception as ex:
            rec.outcomes[type(ex).__name__] += 1
            if conn is not None:
                conn.close()
            conn = None
            ctx.sleep(0.01)
    if conn is not None:
        conn.close()


ATTACKS = [
    ("slowloris", att_slowloris),
    ("conn-flood", att_conn_flood),
    ("chunk-ext", att_chunk_ext),
    ("endless-trailer", att_trailer),
    ("huge-json", att_huge_json),
    ("xchunked-smuggle", att_smuggle),
    ("x-user-spray", att_xuser_spray),
    ("oversized-headers", att_oversized),
    ("garbage", att_garbage),
    ("bad-upstream-caller", att_bad_caller),
]


def run_attacker(fn, ctx, port, rec):
    while not ctx.done():  # every exception is caught; carry on until time is up
        try:
            fn(ctx, port, rec)
        except Exception as ex:
            rec.outcomes["attacker exception: " + type(ex).__name__] += 1
            ctx.sleep(0.05)


# --------------------------------------------------------------------------- normal clients

class NormalStats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.errors = 0
        self.first_errors = []
        self.latencies = []
        self.by_path = collections.Counter()


def check_chat(data):
    doc = json.loads(data)
    if doc.get("object") != "chat.completion":
        return f"object is {doc.get('object')!r}"
    content = doc["choices"][0]["message"]["content"]
    if content != REPLY_TEXT:
        return f"content is {content!r}"
    return None


def check_health(data):
    doc = json.loads(data)
    return None if doc == {"status": "OK"} else f"health body {data[:100]!r}"


def normal_client(ctx, port, stats, idx):
    inv = json.dumps({"messages": [{"role": "user", "content": "hi"}]}).encode()
    oai = json.dumps({"model": "good", "messages": [{"role": "user", "content": "hi"}]}).encode()
    hdrs = {"Content-Type": "application/json"}
    conn = None
    n = idx  # stagger the /v1 and /health requests across clients
    lat, count, errs = [], 0, []
    while not ctx.done():
        n += 1
        if n % 10 == 0:
            method, path, body, check = "GET", "/health", None, check_health
        elif n % 5 == 0:
            method, path, body, check = "POST", "/v1/chat/completions", oai, check_chat
        else:
            method, path, body, check = "POST", "/endpoints/good/invocations", inv, check_chat
        t0 = time.perf_counter()
        err = None
        try:
            if conn is None:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request(method, path, body=body, headers=hdrs)
            r = conn.getresponse()
            data = r.read()
            if r.status != 200:
                err = f"HTTP {r.status}: {data[:200]!r}"
            else:
                try:
                    err = check(data)
                except Exception as ex:
                    err = f"unexpected body ({type(ex).__name__}): {data[:200]!r}"
        except Exception as ex:
            err = f"{type(ex).__name__}: {ex}"
            if conn is not None:
                conn.close()
            conn = None  # reconnect on the next request
            ctx.sleep(0.01)  # do not spin if the gateway is gone
        lat.append(time.perf_counter() - t0)
        count += 1
        if err:
            errs.append((ctx.rel(), f"t={ctx.rel():.1f}s client {idx} {method} {path}: {err}"))
    if conn is not None:
        conn.close()
    with stats.lock:
        stats.requests += count
        stats.latencies += lat
        stats.errors += len(errs)
        stats.first_errors += errs[:5]


# --------------------------------------------------------------------------- gateway process

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return None


def fd_count(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return None


def write_config(path, good_port, bad_port):
    def openai(name, port, extra=""):
        return f"""  - name: {name}
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o-mini
      config:
        openai_api_key: sk-bench
        openai_api_base: http://127.0.0.1:{port}/v1
{extra}"""
    with open(path, "w") as f:
        f.write("endpoints:\n" + openai("good", good_port) +
                openai("bad", bad_port, "    timeouts: {total: 2}\n") +
                """  - name: limited
    endpoint_type: llm/v1/chat
    model: {provider: mock}
    limit: {calls: 1000000, renewal_period: minute, key: "header:X-User"}
""")


def start_gateway(binary, cfg, workers, log_path, notes):
    """Start the gateway; wait for its 'listening on' line. Returns (Popen, port)."""
    port = free_port()
    base = [binary, "start-server", "--config-path", cfg, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers), "--read-timeout", "2"]
    for extra in (["--max-connections", "2000"], []):
        log = open(log_path, "wb")
        proc = subprocess.Popen(base + extra, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        deadline = time.monotonic() + 15
        text = ""
        while time.monotonic() < deadline:
            with open(log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            m = re.search(r"listening on http://[^:\s]+:(\d+)", text)
            if m:
                return proc, int(m.group(1))
            if proc.poll() is not None:
                break
            time.sleep(0.05)
        if proc.poll() is None:
            stop_process(proc)
            raise RuntimeError(f"gateway printed no 'listening on' line within 15 s:\n{text[-2000:]}")
        if extra and "max-connections" in text:
            notes.append("the binary does not accept --max-connections; started without it "
                         f"(it said: {text.strip().splitlines()[0] if text.strip() else '?'})")
            continue
        raise RuntimeError(f"gateway exited during startup (code {proc.returncode}):\n{text[-2000:]}")
    raise RuntimeError("gateway did not start")


def stop_process(proc, grace=5.0):
    """SIGTERM, then SIGKILL after `grace` seconds. Returns what happened, for the report."""
    if proc is None or proc.poll() is not None:
        return "not running"
    t0 = time.monotonic()
    try:
        proc.terminate()
        proc.wait(grace)
        return f"exited {time.monotonic() - t0:.1f} s after SIGTERM (code {proc.returncode})"
    except subprocess.TimeoutExpired:
        proc.kill()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        return f"still running {grace:g} s after SIGTERM: killed (SIGKILL)"
    except OSError as ex:
        return f"could not be stopped: {ex}"


def log_summary(log_path, limit=10):
    """Distinct WARN/ERROR messages (digits folded) with counts, most frequent first."""
    levels = collections.Counter()
    msgs = collections.Counter()
    first = {}
    try:
        with open(log_path, "rb") as f:
            for raw in f:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                parts = line.split(" ", 2)
                if len(parts) == 3 and parts[1] in ("DEBUG", "INFO", "WARN", "ERROR"):
                    levels[parts[1]] += 1
                    if parts[1] in ("WARN", "ERROR"):
                        key = parts[1] + " " + re.sub(r"\d+", "N", parts[2])[:160]
                        msgs[key] += 1
                        first.setdefault(key, line[:300])
                else:
                    levels["other"] += 1
    except OSError:
        pass
    return levels, [(c, first[k]) for k, c in msgs.most_common(limit)]


# --------------------------------------------------------------------------- main

def pctl(sorted_vals, p):
    if not sorted_vals:
        return float("nan")
    k = max(1, -(-len(sorted_vals) * p // 100))  # nearest rank
    return sorted_vals[int(k) - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--bin", default="build/deployments")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--normal", type=int, default=32)
    ap.add_argument("--attackers", type=int, default=10)
    ap.add_argument("--only", default="",
                    help="comma-separated attack kinds to run (for diagnosis; default: all, in rotation)")
    ap.add_argument("--keep-log", action="store_true", help="keep the temp dir with the gateway log")
    args = ap.parse_args()
    attacks = ATTACKS
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        known = dict(ATTACKS)
        bad_names = [n for n in names if n not in known]
        if bad_names:
            ap.error(f"unknown attack kind(s) {', '.join(bad_names)}; known: {', '.join(known)}")
        attacks = [(n, known[n]) for n in names]
    if not 1 <= args.seconds <= 3600:
        ap.error("--seconds must be between 1 and 3600")

    binary = args.bin
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not os.path.isabs(binary) and not os.path.exists(binary) and os.path.exists(os.path.join(root, binary)):
        binary = os.path.join(root, binary)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        print(f"error: gateway binary '{args.bin}' not found or not executable (build it first)", file=sys.stderr)
        return 1

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    except (ValueError, OSError):
        pass

    ctx = Ctx()
    notes = []
    tmp = tempfile.mkdtemp(prefix="gwattack.")
    log_path = os.path.join(tmp, "gateway.log")
    proc = None
    good = bad = None
    keep = args.keep_log
    threads = []
    try:
        good = Upstream("good-upstream", ctx, good_behaviour)
        bad_impl = BadUpstream(ctx)
        bad = Upstream("bad-upstream", ctx, bad_impl)
        good.start()
        bad.start()
        cfg = os.path.join(tmp, "gateway.yaml")
        write_config(cfg, good.port, bad.port)
        proc, port = start_gateway(binary, cfg, args.workers, log_path, notes)
        pid = proc.pid

        # Sanity: the good path works before any load.
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        c.request("POST", "/endpoints/good/invocations",
                  body=b'{"messages":[{"role":"user","content":"hi"}]}',
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        data = r.read()
        c.close()
        if r.status != 200 or check_chat(data) is not None:
            raise RuntimeError(f"sanity request failed: HTTP {r.status} {data[:300]!r}")
        with open(log_path, "rb") as f:
            if b"unknown key 'timeouts'" in f.read():
                notes.append("the binary ignores 'timeouts:' (unknown key): endpoint 'bad' runs with "
                             "the default --upstream-timeout")
        time.sleep(0.5)
        rss_start = proc_status(pid, "VmRSS") or 0
        fds_start = fd_count(pid) or 0

        rss = {"max": rss_start, "max_at": 0.0, "last": rss_start, "timeline": [], "fds_max": fds_start}
        sampler_stop = threading.Event()

        def sampler():
            next_line = 0.0
            while not sampler_stop.is_set():
                v = proc_status(pid, "VmRSS")
                if v is not None:
                    rss["last"] = v
                    if v > rss["max"]:
                        rss["max"], rss["max_at"] = v, ctx.rel()
                    if ctx.rel() >= next_line:
                        rss["timeline"].append((ctx.rel(), v))
                        next_line += 5.0
                fds = fd_count(pid)
                if fds is not None and fds > rss["fds_max"]:
                    rss["fds_max"] = fds
                sampler_stop.wait(0.5)

        ctx.start(args.seconds)
        st = threading.Thread(target=sampler, name="rss", daemon=True)
        st.start()
        records = []
        for i in range(args.attackers):
            kind, fn = attacks[i % len(attacks)]
            rec = Record(kind)
            records.append(rec)
            t = threading.Thread(target=run_attacker, args=(fn, ctx, port, rec), name=f"att-{kind}", daemon=True)
            threads.append(t)
            t.start()
        stats = NormalStats()
        normals = []
        for i in range(args.normal):
            t = threading.Thread(target=normal_client, args=(ctx, port, stats, i), name=f"normal-{i}", daemon=True)
            normals.append(t)
            threads.append(t)
            t.start()

        died_at = None
        while not ctx.done():
            ctx.sleep(0.2)
            if proc.poll() is not None:  # no point in going on: every request would fail
                died_at = ctx.rel()
                ctx.stop.set()
        t_load_end = time.monotonic()
        load_secs = ctx.rel()
        for t in threads:  # bounded: each request has a 10-15 s socket timeout
            t.join(max(0.1, t_load_end + 20 - time.monotonic()))
        duration = ctx.rel()
        stuck = [t.name for t in threads if t.is_alive()]
        time.sleep(1.0)
        rss_end = proc_status(pid, "VmRSS")
        fds_end = fd_count(pid)
        sampler_stop.set()
        st.join(2)
        alive = proc.poll() is None
        stopped = stop_process(proc, 10.0) if alive else None
        if rss_end is None:
            rss_end = rss["last"]
        if rss_end > rss["max"]:
            rss["max"] = rss_end

        # ---- report
        lat = sorted(stats.latencies)
        mb = lambda kb: kb / 1024.0
        print()
        print(f"attack.py: {args.seconds:g} s, gateway --workers {args.workers}, {args.normal} normal clients, "
              f"{args.attackers} attackers ({os.cpu_count()} cores, shared with the load)"
              + (f", only {args.only}" if args.only else ""))
        print(f"{'duration':<26}{load_secs:.1f} s of load (+{duration - load_secs:.1f} s for the clients to stop)")
        print(f"{'normal requests':<26}{stats.requests}")
        print(f"{'normal errors':<26}{stats.errors}")
        for _, e in sorted(stats.first_errors)[:5]:
            print(f"{'':<26}{e[:300]}")
        print(f"{'normal req/s':<26}{stats.requests / max(load_secs, 1e-6):.1f}")
        print(f"{'normal latency p50 / p99':<26}{pctl(lat, 50) * 1000:.2f} / {pctl(lat, 99) * 1000:.2f} ms"
              f"  (max {lat[-1] * 1000 if lat else float('nan'):.0f} ms)")
        print(f"{'gateway RSS start/max/end':<26}{mb(rss_start):.1f} / {mb(rss['max']):.1f} / {mb(rss_end):.1f} MB"
              f"  (max at t={rss['max_at']:.0f}s)")
        print(f"{'RSS every 5 s (MB)':<26}" + " ".join(f"{mb(v):.0f}" for _, v in rss["timeline"]))
        print(f"{'gateway fds start/max/end':<26}{fds_start} / {rss['fds_max']} / {'-' if fds_end is None else fds_end}")
        if alive:
            print(f"{'gateway alive at end':<26}yes; {stopped}")
        else:
            how = (f"killed by signal {-proc.returncode}" if proc.returncode < 0
                   else f"exit code {proc.returncode}")
            when = f" at t={died_at:.1f}s; the load was stopped then" if died_at is not None else ""
            print(f"{'gateway alive at end':<26}NO ({how}{when})")
        print()
        print(f"{'attacker':<21}{'actions':>9}  outcomes (most frequent first)")
        for rec in records:
            outs = ", ".join(f"{k} x{v}" for k, v in rec.outcomes.most_common(6))
            more = len(rec.outcomes) - 6
            if more > 0:
                outs += f", ... (+{more} more)"
            print(f"{rec.kind:<21}{rec.actions:>9}  {outs}")
        served = ", ".join(f"{k} x{bad_impl.served[k]}" for k in BadUpstream.KINDS)
        print(f"{'bad upstream served':<21}{sum(bad_impl.served.values()):>9}  {served}")
        if bad_impl.max_sent:
            print(f"{'':<32}most bytes written on one connection: " +
                  ", ".join(f"{k} {v / 1048576:.1f} MiB" for k, v in bad_impl.max_sent.items()))
        levels, top = log_summary(log_path)
        print()
        print("gateway log lines: " + ", ".join(f"{k} {v}" for k, v in sorted(levels.items())))
        for count, line in top:
            print(f"  x{count:<6} {line}")
        for n in notes:
            print("note: " + n)
        if stuck:
            print("note: threads still running after the run: " + ", ".join(stuck))
        ok_err = stats.errors == 0 and stats.requests > 0  # no normal request at all is no pass
        ok_rss = mb(rss["max"]) < RSS_LIMIT_MB and alive  # a dead gateway proves nothing
        print()
        print(f"{'PASS' if ok_err else 'FAIL'}  normal clients saw zero errors "
              f"({stats.errors} errors in {stats.requests} requests)")
        print(f"{'PASS' if ok_rss else 'FAIL'}  gateway RSS stayed under {RSS_LIMIT_MB:.0f} MB "
              f"(max {mb(rss['max']):.1f} MB" + ("" if alive else ", but the gateway died during the run") + ")")
        ok = ok_err and ok_rss
        print("RESULT " + ("PASS" if ok else "FAIL"))
        if not ok:
            keep = True
        return 0 if ok else 1
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception as ex:
        print(f"error: {ex}", file=sys.stderr)
        keep = True
        return 1
    finally:
        ctx.stop.set()
        stop_process(proc)
        for up in (good, bad):
            if up is not None:
                up.stop()
        if keep:
            print(f"gateway log kept: {log_path}", file=sys.stderr)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
