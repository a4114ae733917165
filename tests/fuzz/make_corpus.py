#!/usr/bin/env python3
"""Regenerates the seed corpora in tests/fuzz/corpus/<target>/ from the repository's fixtures,
the example config and the provider bodies used by the unit tests.

    python3 tests/fuzz/make_corpus.py

Each seed carries the small header its target reads first (see the comment at the top of each
fuzz_<target>.cpp). PROVIDERS must list the providers in the order of providers() in
fuzz_common.h (the first header byte indexes it; catalogue rows it does not list come last). The files are committed; re-running gives
the same files. Files named regress_* are inputs that once found a bug (kept when regenerating).
"""
import json
import os
import re
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
CORPUS = os.path.join(HERE, "corpus")

CHAT, COMPLETIONS, EMBEDDINGS = 0, 1, 2

# (label, test file with its bodies, served types, reply keys): fuzz_common.h providers() order.
PROVIDERS = [
    ("openai", "test_openai.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["choices", "data"]),
    ("azure", "test_openai.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["choices", "data"]),
    ("azuread", "test_openai.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["choices", "data"]),
    ("anthropic", "test_anthropic.cpp", [CHAT, COMPLETIONS], ["content", "completion"]),
    ("gemini", "test_gemini.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["candidates", "embedding", "embeddings"]),
    ("cohere", "test_cohere.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["generations", "text", "embeddings"]),
    ("mistral", "test_mistral.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["choices", "data"]),
    ("togetherai", "test_togetherai.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["choices", "data"]),
    ("tgi", "test_tgi.cpp", [COMPLETIONS], ["generated_text"]),
    ("model_serving", "test_model_serving.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["predictions"]),
    ("ai21labs", "test_ai21labs.cpp", [COMPLETIONS], ["completions"]),
    ("palm", "test_palm.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["candidates", "embedding"]),
    ("mosaicml", "test_mosaicml.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["outputs"]),
    ("bedrock_anthropic", "test_bedrock.cpp", [CHAT, COMPLETIONS], ["output", "completion"]),
    ("bedrock_titan", "test_bedrock.cpp", [CHAT, COMPLETIONS], ["output", "results"]),
    ("bedrock_ai21", "test_bedrock.cpp", [CHAT, COMPLETIONS], ["output", "completions"]),
    ("bedrock_cohere", "test_bedrock.cpp", [CHAT, COMPLETIONS], ["output", "generations"]),
    ("bedrock_meta", "test_bedrock.cpp", [CHAT, COMPLETIONS], ["output", "generation"]),
    ("bedrock_mistral", "test_bedrock.cpp", [CHAT, COMPLETIONS], ["output", "outputs"]),
    ("mock", None, [CHAT, COMPLETIONS, EMBEDDINGS], []),
    ("openai_compatible", "test_openai.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["choices", "data"]),
    ("ollama", "test_openai.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["choices", "data"]),
    ("groq", "test_openai.cpp", [CHAT], ["choices"]),
    ("deepseek", "test_openai.cpp", [CHAT], ["choices"]),
    ("xai", "test_openai.cpp", [CHAT], ["choices"]),
    ("openrouter", "test_openai.cpp", [CHAT, COMPLETIONS], ["choices"]),
    ("fireworks", "test_openai.cpp", [CHAT, COMPLETIONS, EMBEDDINGS], ["choices", "data"]),
]
INDEX = {p[0]: i for i, p in enumerate(PROVIDERS)}
TYPE_NAMES = {CHAT: "chat", COMPLETIONS: "completions", EMBEDDINGS: "embeddings"}


def read(path):
    with open(os.path.join(REPO, path), "rb") as f:
        return f.read()


def reset(target):
    """Empties corpus/<target>/ except the regress_* files (inputs that once found a bug)."""
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if not name.startswith("regress_"):
            os.remove(os.path.join(d, name))
    return d


def write(d, name, data):
    if isinstance(data, str):
        data = data.encode()
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def json_literals(test_file):
    """Single raw-string literals R"(...)" of a unit test that are JSON objects."""
    text = read(os.path.join("tests", "unit", test_file)).decode()
    out = []
    for m in re.finditer(r'R"\((.*?)\)"', text, re.S):
        s = m.group(1)
        try:
            v = json.loads(s)
        except ValueError:
            continue
        if isinstance(v, dict) and s not in out:
            out.append(s)
    return out


def u16(n):
    return struct.pack(">H", n)


# ---- AWS event stream ----------------------------------------------------------------------

def es_header(name, kind, value):
    n = name.encode()
    h = bytes([len(n)]) + n + bytes([kind])
    if kind in (0, 1):
        return h
    if kind == 2:
        return h + struct.pack(">b", value)
    if kind == 3:
        return h + struct.pack(">h", value)
    if kind == 4:
        return h + struct.pack(">i", value)
    if kind in (5, 8):
        return h + struct.pack(">q", value)
    if kind in (6, 7):
        v = value if isinstance(value, bytes) else value.encode()
        return h + struct.pack(">H", len(v)) + v
    if kind == 9:
        return h + value
    raise ValueError(kind)


def es_message(headers, payload):
    hs = b"".join(es_header(*h) for h in headers)
    payload = payload.encode() if isinstance(payload, str) else payload
    total = 12 + len(hs) + len(payload) + 4
    prelude = struct.pack(">II", total, len(hs))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + hs + payload
    return body + struct.pack(">I", zlib.crc32(body))


def es_event(kind, payload):
    return es_message([(":event-type", 7, kind), (":content-type", 7, "application/json"),
                       (":message-type", 7, "event")], payload)


def es_exception(kind, payload):
    return es_message([(":exception-type", 7, kind), (":content-type", 7, "application/json"),
                       (":message-type", 7, "exception")], payload)


BEDROCK_TEXT_EVENTS = [
    ("messageStart", '{"p":"abcdefghijklmnopqrstuvwxyzABCDEFGH","role":"assistant"}'),
    ("contentBlockDelta", '{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"abcd"}'),
    ("contentBlockDelta", '{"contentBlockIndex":0,"delta":{"text":" world"},"p":"abcdefgh"}'),
    ("contentBlockStop", '{"contentBlockIndex":0,"p":"abcdefghijklmnopqrstuvwxyzABCD"}'),
    ("messageStop", '{"p":"abcdefghijklm","stopReason":"end_turn"}'),
    ("metadata", '{"metrics":{"latencyMs":412},"p":"abc","usage":{"inputTokens":12,"outputTokens":4,"totalTokens":16}}'),
]
BEDROCK_TOOL_EVENTS = [
    ("messageStart", '{"role":"assistant"}'),
    ("contentBlockStart", '{"contentBlockIndex":0,"start":{"toolUse":{"toolUseId":"tooluse_1","name":"get_weather"}}}'),
    ("contentBlockDelta", '{"contentBlockIndex":0,"delta":{"toolUse":{"input":"{\\"city\\":"}}}'),
    ("contentBlockDelta", '{"contentBlockIndex":0,"delta":{"toolUse":{"input":"\\"Paris\\"}"}}}'),
    ("contentBlockStop", '{"contentBlockIndex":0}'),
    ("messageStop", '{"stopReason":"tool_use"}'),
    ("metadata", '{"usage":{"inputTokens":30,"outputTokens":9,"totalTokens":39},"metrics":{"latencyMs":100}}'),
]

# ---- streams -------------------------------------------------------------------------------

OPENAI_CHAT_STREAM = read("tests/fixtures/sse/openai_chat_stream.txt")
OPENAI_TOOLS_STREAM = (
    b'data: {"id":"x","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"f","arguments":""}}]},"finish_reason":null}]}\n\n'
    b'data: {"id":"x","created":1,"model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\\"a\\":1}"}}]},"finish_reason":"tool_calls"}]}\n\n'
    b'data: {"id":"x","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}\n\n'
    b"data: [DONE]\n\n")
OPENAI_COMPLETIONS_STREAM = (
    b'data: {"id":"c","choices":[{"text":"Hi","index":0,"finish_reason":null}]}\n\n'
    b'data: {"id":"c","choices":[{"delta":{"content":"!"},"finish_reason":"stop"}]}\n\n'
    b"data: [DONE]\n\n")
OPENAI_ERROR_STREAM = b'data: {"error":{"message":"overloaded","type":"server_error"}}\n\n'
MISTRAL_STREAM = (
    b'data: {"id":"cmpl-9a8b","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n'
    b'data: {"id":"cmpl-9a8b","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"Claude Monet."},"finish_reason":null}]}\n\n'
    b'data: {"id":"cmpl-9a8b","object":"chat.completion.chunk","created":1702256327,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":""},"finish_reason":"stop"}],"usage":{"prompt_tokens":16,"total_tokens":21,"completion_tokens":5}}\n\n'
    b"data: [DONE]\n\n")
MISTRAL_ERROR_STREAM = b'data: {"object":"error","message":"Service unavailable.","type":"internal_server_error","param":null,"code":"3000"}\n\n'
TOGETHER_STREAM = (
    b'data: {"id":"86f2cfd18f6b38ca-ATH","object":"chat.completion.chunk","created":1712249578,"choices":[{"index":0,"text":" The","logprobs":null,"finish_reason":null,"seed":null,"delta":{"token_id":415,"role":"assistant","content":" The","tool_calls":null}}],"model":"mistralai/Mixtral-8x7B-v0.1","usage":null}\n\n'
    b'data: {"id":"86f2cfd18f6b38ca-ATH","object":"chat.completion.chunk","created":1712249578,"choices":[{"index":0,"text":" Paris","logprobs":null,"finish_reason":"length","seed":5678,"delta":{"token_id":5465,"role":"assistant","content":" Paris","tool_calls":null}}],"model":"mistralai/Mixtral-8x7B-v0.1","usage":{"prompt_tokens":93,"completion_tokens":100,"total_tokens":193}}\n\n'
    b"data: [DONE]\n\n")
TOGETHER_COMPLETIONS_STREAM = (
    b'data: {"id":"86d8d6e06df86f61-ATH","object":"completion.chunk","created":1711977238,"choices":[{"index":0,"text":" \\"","logprobs":null,"finish_reason":null,"delta":{"token_id":345,"content":" \\""}}],"model":"mistralai/Mixtral-8x7B-v0.1","usage":null}\n\n'
    b'data: {"id":"86d8d6e06df86f61-ATH","object":"completion.chunk","created":1711977238,"choices":[{"index":0,"text":"name","logprobs":null,"finish_reason":"length","delta":{"token_id":861,"content":"name"}}],"model":"mistralai/Mixtral-8x7B-v0.1","usage":{"prompt_tokens":17,"completion_tokens":200,"total_tokens":217}}\n\n'
    b"data: [DONE]\n\n")
ANTHROPIC_STREAM = read("tests/fixtures/sse/anthropic_messages_stream.txt")
ANTHROPIC_TOOL_STREAM = read("tests/fixtures/anthropic/tool_use_stream.txt")
GEMINI_STREAM = read("tests/fixtures/gemini/stream_generate_content.txt")
COHERE_CHAT_STREAM = (
    '{"is_finished":false,"event_type":"stream-start","generation_id":"9f8e7d6c"}\n'
    '{"is_finished":false,"event_type":"text-generation","text":"Bonjour"}\n'
    '{"is_finished":false,"event_type":"text-generation","text":" à tous"}\n'
    '{"is_finished":false,"event_type":"citation-generation","citations":[]}\n'
    '{"is_finished":true,"event_type":"stream-end","response":{"response_id":"1c2d3e4f","text":"Bonjour à tous",'
    '"generation_id":"9f8e7d6c","chat_history":[{"role":"USER","message":"Say hello in French"},'
    '{"role":"CHATBOT","message":"Bonjour à tous"}],"finish_reason":"COMPLETE","meta":{"api_version":{"version":"1"},'
    '"billed_units":{"input_tokens":5,"output_tokens":4},"tokens":{"input_tokens":71,"output_tokens":4}}},'
    '"finish_reason":"COMPLETE"}\n').encode()
COHERE_GENERATE_STREAM = (
    b'{"index":0,"text":" Hi","is_finished":false,"event_type":"text-generation"}\n'
    b'{"index":1,"text":" Hello","is_finished":false,"event_type":"text-generation"}\n'
    b'{"index":0,"text":" there","is_finished":false,"event_type":"text-generation"}\n'
    b'{"is_finished":true,"event_type":"stream-end","finish_reason":"COMPLETE","response":{"id":"b32a70c5",'
    b'"generations":[{"id":"g0","index":0,"text":" Hi there","finish_reason":"COMPLETE"},'
    b'{"id":"g1","index":1,"text":" Hello","finish_reason":"MAX_TOKENS"}],"prompt":"Hello"}}\n')

# ---- client bodies -------------------------------------------------------------------------

CHAT_BODIES = [
    '{"messages":[{"role":"user","content":"Hello"}]}',
    '{"messages":[{"role":"system","content":"S"},{"role":"user","content":"\\u00e9 \\" \\\\ \\n"}],"temperature":0.5,"n":2,"stop":["x","y"],"max_tokens":10,"stream":false,"stream_options":{"include_usage":true},"top_p":0.9,"user":"u","response_format":{"type":"json_object"}}',
    '{"model":"chat","messages":[{"role":"user","content":"a"}],"temperature":2}',
    '{"messages":[{"role":"assistant","content":null,"refusal":"no"}],"stream":true}',
    '{"messages":[{"role":"user","content":[{"type":"text","text":"a"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AAAA"}}]}]}',
    '{"messages":[{"role":"user","content":"weather?"},{"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\\"city\\":\\"Paris\\"}"}}]},{"role":"tool","tool_call_id":"call_1","content":"sunny"}],"tools":[{"type":"function","function":{"name":"get_weather","description":"d","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],"tool_choice":"auto"}',
    '{"messages":[{"role":"user","content":"a"}],"temperature":"0.5","n":1.0,"stream":"true","top_k":3}',
]
COMPLETIONS_BODIES = [
    '{"prompt":"Say hi","max_tokens":7}',
    '{"prompt":"","temperature":1.25,"n":1,"echo":true,"model":"m"}',
    '{"prompt":"Hi","temperature":0.5,"stop":["\\n"],"stream":true,"top_k":10,"seed":7}',
]
EMBEDDINGS_BODIES = [
    '{"input":"The food was delicious"}',
    '{"input":["a","b"],"encoding_format":"base64","dimensions":8}',
    '{"input":[[1,2],[3]],"user":null,"model":"e"}',
]
BODIES = {CHAT: CHAT_BODIES, COMPLETIONS: COMPLETIONS_BODIES, EMBEDDINGS: EMBEDDINGS_BODIES}


def make_config():
    d = reset("config")
    write(d, "example.yaml", read("config/example.yaml"))
    write(d, "openai_limit.yaml", """endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: OpenAI
      name: gpt-4o-mini
      config:
        openai_api_key: $OPENAI_KEY
    limit:
      renewal_period: 5 minutes
      calls: 10
      key: user
    timeouts: {connect: 2, total: 0.5, first_event: 10, idle: 1.25}
  - name: embed.v2
    endpoint_type: llm/v1/embeddings
    model:
      provider: openai
      config: {openai_api_key: key.txt, openai_organization: org-1}
""")
    write(d, "azure_routes.yaml", """endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      name: gpt-4o
      config:
        openai_api_type: azure
        openai_api_key: $AZURE_KEY
        openai_api_base: https://res.openai.azure.com
        openai_deployment_name: dep
        openai_api_version: '2024-02-01'
  - name: chat2
    endpoint_type: llm/v1/chat
    model: {provider: mock, config: {response: hello, dimensions: 16}}
routes:
  - name: chat-ab
    task_type: llm/v1/chat
    destinations:
      - name: chat
        traffic_percentage: 80
      - name: chat2
        traffic_percentage: 20
    routing_strategy: TRAFFIC_SPLIT
""")
    write(d, "mlflow2_routes.yaml", """routes:
  - name: split
    task_type: llm/v1/completions
    destinations: [{name: comp, traffic_percentage: 100}]
  - name: comp
    route_type: llm/v1/completions
    model:
      provider: openai
      config: {openai_api_key: $OPENAI_KEY}
""")
    # Every provider once (the catalogue of fuzz_common.h), in one file per family.
    entries = {
        "http_providers.yaml": [
            ("anthropic", "llm/v1/chat", "claude-3-5-sonnet", "{anthropic_api_key: k, anthropic_version: '2023-06-01'}"),
            ("gemini", "llm/v1/embeddings", "text-embedding-004", "{gemini_api_key: $GEMINI_KEY}"),
            ("cohere", "llm/v1/completions", "command", "{cohere_api_key: k, cohere_api_base: 'https://proxy.test/v1'}"),
            ("mistral", "llm/v1/chat", "mistral-large-latest", "{mistral_api_key: k}"),
            ("togetherai", "llm/v1/completions", "m", "{togetherai_api_key: k}"),
        ],
        "legacy_providers.yaml": [
            ("huggingface-text-generation-inference", "llm/v1/completions", "hf", "{hf_server_url: 'http://tgi.test:8080'}"),
            ("mlflow-model-serving", "llm/v1/embeddings", "served", "{model_server_url: 'http://serving.test:5000/'}"),
            ("ai21labs", "llm/v1/completions", "j2-ultra", "{ai21labs_api_key: k}"),
            ("palm", "llm/v1/chat", "chat-bison", "{palm_api_key: k}"),
            ("mosaicml", "llm/v1/completions", "mpt-7b", "{mosaicml_api_key: k}"),
        ],
        "bedrock.yaml": [
            ("bedrock", "llm/v1/chat", "anthropic.claude-3-haiku-20240307-v1:0",
             "{aws_config: {aws_region: us-east-1, aws_access_key_id: AKID, aws_secret_access_key: SECRET, aws_session_token: T}}"),
            ("amazon-bedrock", "llm/v1/completions", "amazon.titan-text-express-v1",
             "{aws_config: {aws_region: eu-west-1, aws_role_arn: 'arn:aws:iam::123456789012:role/r', session_length_seconds: 3600, aws_sts_endpoint_url: 'https://sts.test'}, aws_endpoint_url: 'https://proxy.test/bedrock'}"),
        ],
        "compatible.yaml": [
            ("openai-compatible", "llm/v1/chat", "local", "{api_base: 'http://compat.test/v1', api_key: k}"),
            ("ollama", "llm/v1/embeddings", "llama3", None),
            ("groq", "llm/v1/chat", "llama", "{groq_api_key: k}"),
            ("deepseek", "llm/v1/chat", "deepseek-chat", "{deepseek_api_key: k}"),
            ("xai", "llm/v1/chat", "grok-2", "{xai_api_key: k}"),
            ("openrouter", "llm/v1/completions", "openai/gpt-4o", "{openrouter_api_key: k}"),
            ("fireworks", "llm/v1/embeddings", "nomic", "{fireworks_api_key: k}"),
        ],
    }
    for name, eps in entries.items():
        text = "endpoints:\n"
        for i, (provider, kind, model, config) in enumerate(eps):
            text += f"  - name: e{i}\n    endpoint_type: {kind}\n    model:\n      provider: {provider}\n      name: '{model}'\n"
            if config:
                text += f"      config: {config}\n"
        write(d, name, text)
    write(d, "errors.yaml", """endpoints:
  - name: bad
    endpoint_type: llm/v1/unknown
    model: {provider: nope, config: [1, 2]}
    limit: {calls: -1, renewal_period: fortnight}
  - name: bad
    endpoint_type: llm/v1/chat
    model:
      provider: openai
      config: {openai_api_key: $UNSET, openai_api_base: 'ftp://x'}
routes: {}
""")


def make_request():
    d = reset("request")
    for kind, bodies in BODIES.items():
        for i, body in enumerate(bodies):
            write(d, f"{TYPE_NAMES[kind]}_{i}", bytes([kind]) + body.encode())
            if i == 0:  # the /v1 variant names the endpoint
                v1 = json.loads(body)
                v1["model"] = "endpoint"
                write(d, f"{TYPE_NAMES[kind]}_v1", bytes([kind | 4]) + json.dumps(v1).encode())


def make_sse():
    d = reset("sse")
    head = bytes([0]) + u16(100) + u16(400)
    write(d, "openai_chat", head + OPENAI_CHAT_STREAM)
    write(d, "anthropic_messages", head + ANTHROPIC_STREAM)
    write(d, "gemini", head + GEMINI_STREAM)
    write(d, "fields_crlf_bom", bytes([0]) + u16(1) + u16(2) +
          b"\xef\xbb\xbf: comment\r\nid: 7\r\nevent: ping\r\ndata: a\r\ndata:b\r\n\r\nretry: 10\rdata\r\r")
    write(d, "small_limit", bytes([4]) + u16(3) + u16(20) +
          b"event: x\ndata: 0123456789012345678901234567890123456789\n\n")


def make_ndjson():
    d = reset("ndjson")
    write(d, "cohere_chat", u16(50) + u16(300) + COHERE_CHAT_STREAM)
    write(d, "cohere_generate", u16(10) + u16(200) + COHERE_GENERATE_STREAM)
    write(d, "crlf_blank_tail", u16(3) + u16(9) + b'{"a":1}\r\n \t\r\n\n{"b":2}')


def make_eventstream():
    d = reset("eventstream")
    text = b"".join(es_event(k, p) for k, p in BEDROCK_TEXT_EVENTS)
    write(d, "bedrock_text", bytes([0]) + u16(13) + u16(200) + text)
    write(d, "bedrock_tools", bytes([0]) + u16(60) + u16(61) +
          b"".join(es_event(k, p) for k, p in BEDROCK_TOOL_EVENTS))
    write(d, "exception", bytes([0]) + u16(5) + u16(90) +
          es_exception("throttlingException", '{"message":"Too many requests"}'))
    write(d, "error_message", bytes([1]) + u16(5) + u16(9) +
          es_message([(":message-type", 7, "error"), (":error-code", 7, "InternalFailure"),
                      (":error-message", 7, "boom")], b""))
    write(d, "all_header_types", bytes([1]) + u16(20) + u16(40) + es_message([
        ("t", 0, None), ("f", 1, None), ("byte", 2, -5), ("short", 3, -300), ("int", 4, 70000),
        ("long", 5, -(2 ** 40)), ("bytes", 6, b"\x00\xff"), ("str", 7, "value"),
        ("ts", 8, 1700000000000), ("uuid", 9, bytes(range(16)))], b"payload"))
    write(d, "small_limit", bytes([8]) + u16(0) + u16(0) + text)


def make_provider_reply():
    d = reset("provider_reply")
    def fixtures(base):
        # The provider's fixture folder: its documented replies (error bodies have their own seeds).
        folder = os.path.join(REPO, "tests/fixtures", base)
        if not os.path.isdir(folder):
            return []
        return [os.path.join("tests/fixtures", base, f) for f in sorted(os.listdir(folder))
                if f.endswith(".json") and not f.startswith("error")]
    literal_cache = {}
    for label, test_file, types, keys in PROVIDERS:
        if test_file is None:
            bodies = ['{"x":1}']
        else:
            if test_file not in literal_cache:
                literal_cache[test_file] = json_literals(test_file)
            bodies = [b for b in literal_cache[test_file] if any(f'"{k}"' in b for k in keys)]
            base = "openai" if test_file == "test_openai.cpp" else label.split("_")[0] if label.startswith("bedrock") else label
            own = [read(f).decode() for f in fixtures(base)]
            bodies = [b for b in own if not keys or any(f'"{k}"' in b for k in keys)] + bodies
        p = INDEX[label]
        for kind in types:
            for i, body in enumerate(bodies[:3]):
                write(d, f"{label}_{TYPE_NAMES[kind]}_{i}", bytes([p, kind, 0]) + body.encode())
        # An error status with an OpenAI-shaped error body, and a text/plain body.
        write(d, f"{label}_error400", bytes([p, types[0], 10]) + b'{"error":{"message":"bad request","type":"invalid_request_error"}}')
        write(d, f"{label}_text500", bytes([p, types[0], 15 | (4 << 4) | 128]) + b"upstream exploded")


def make_provider_stream():
    d = reset("provider_stream")
    sse_openai = [("chat", OPENAI_CHAT_STREAM, CHAT), ("tools", OPENAI_TOOLS_STREAM, CHAT),
                  ("completions", OPENAI_COMPLETIONS_STREAM, COMPLETIONS), ("error", OPENAI_ERROR_STREAM, CHAT)]
    streams = {
        "openai": sse_openai, "azure": sse_openai[:1], "openai_compatible": sse_openai[:3],
        "groq": sse_openai[:1], "fireworks": sse_openai[2:3],
        "anthropic": [("chat", ANTHROPIC_STREAM, CHAT), ("tools", ANTHROPIC_TOOL_STREAM, CHAT),
                      ("completions", ANTHROPIC_STREAM, COMPLETIONS)],
        "gemini": [("chat", GEMINI_STREAM, CHAT), ("completions", GEMINI_STREAM, COMPLETIONS)],
        "cohere": [("chat", COHERE_CHAT_STREAM, CHAT), ("completions", COHERE_GENERATE_STREAM, COMPLETIONS)],
        "mistral": [("chat", MISTRAL_STREAM, CHAT), ("completions", MISTRAL_STREAM, COMPLETIONS),
                    ("error", MISTRAL_ERROR_STREAM, CHAT)],
        "togetherai": [("chat", TOGETHER_STREAM, CHAT), ("completions", TOGETHER_COMPLETIONS_STREAM, COMPLETIONS)],
    }
    for label, items in streams.items():
        for name, body, kind in items:
            write(d, f"{label}_{name}", bytes([INDEX[label], kind, 1]) + u16(len(body) // 2) + body)
    p = INDEX["bedrock_anthropic"]
    text = b"".join(es_event(k, v) for k, v in BEDROCK_TEXT_EVENTS)
    write(d, "bedrock_text_frames", bytes([p, CHAT, 1]) + u16(100) + text)
    records = lambda evs: b"\0".join(k.encode() + b"\n" + v.encode() for k, v in evs)
    write(d, "bedrock_text_records", bytes([p, CHAT, 3]) + u16(0) + records(BEDROCK_TEXT_EVENTS))
    write(d, "bedrock_tool_records", bytes([p, CHAT, 2]) + u16(0) + records(BEDROCK_TOOL_EVENTS))
    write(d, "bedrock_exception_records", bytes([p, CHAT, 2]) + u16(0) +
          records(BEDROCK_TEXT_EVENTS[:2]) + b'\0!throttlingException\n{"message":"slow down"}')


def make_provider_request():
    d = reset("provider_request")
    for label, _, types, _ in PROVIDERS:
        for kind in types:
            bodies = BODIES[kind]
            picks = [0, 1, 5] if kind == CHAT else [0, 2]
            for i in picks:
                if i < len(bodies):
                    write(d, f"{label}_{TYPE_NAMES[kind]}_{i}", bytes([INDEX[label], kind, 0]) + bodies[i].encode())


def make_url():
    d = reset("url")
    for i, u in enumerate([
        b"https://api.openai.com/v1",
        b"http://localhost:11434/v1?x=1\0chat/completions",
        b"https://[::1]:8443/a/b/?api-version=2024-02-01&q\0/model/x:generateContent",
        b"HTTP://Example.COM",
        b"https://h:443//x//?\0embeddings",
        b"https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude%3A0/converse",
    ]):
        write(d, f"url_{i}", u)


def make_sigv4():
    d = reset("sigv4")
    write(d, "converse", b"\0POST\0/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse\0"
          b"Content-Type:application/json\nAccept:application/json\0"
          b'{"messages":[{"role":"user","content":[{"text":"hi"}]}]}')
    write(d, "get_vanilla_query", b"\2GET\0/?Param2=value2&Param1=value1\0My-Header1: value4\nmy-header1:  a   b  \0")
    write(d, "dot_segments", b"\4GET\0/example/../a/./b//c/\0X-Amz-Date:x\nhost:evil\nAuthorization:old\0")
    write(d, "query_encoding", b"\0GET\0/-._~0-9/%41%zz?a=%20b&a=&b&%3D=%26&c=+\0\0")
    write(d, "full_url", b"\1POST\0https://sts.us-east-1.amazonaws.com:8443\0Content-Type:application/x-www-form-urlencoded\0"
          b"Action=AssumeRole&Version=2011-06-15")


def make_sts():
    d = reset("sts")
    text = read("tests/unit/test_aws_sts.cpp").decode()
    m = re.search(r'R"\((<AssumeRoleResponse.*?</AssumeRoleResponse>)\)"', text, re.S)
    write(d, "assume_role_response.xml", m.group(1))
    write(d, "error_response.xml", "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
          "<Message>User is not authorized to perform: sts:AssumeRole &amp; more</Message></Error></ErrorResponse>")
    write(d, "minimal.xml", "<Credentials><AccessKeyId>A</AccessKeyId><SecretAccessKey>S</SecretAccessKey>"
          "<SessionToken>T&lt;&gt;&quot;&apos;&amp;</SessionToken><Expiration>2024-02-29T23:59:59.123Z</Expiration></Credentials>")
    write(d, "time_only", "2026-11-26T12:00:00Z")


def main():
    make_config()
    make_request()
    make_sse()
    make_ndjson()
    make_eventstream()
    make_provider_reply()
    make_provider_stream()
    make_provider_request()
    make_url()
    make_sigv4()
    make_sts()


if __name__ == "__main__":
    main()
