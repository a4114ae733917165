#!/usr/bin/env python3
"""docker/compose.yaml's topology as real processes on loopback, without a container engine:
redis-server, two `deployments start-server` processes sharing rate limits through it, nginx
with docker/nginx.conf in front of them, and (when installed) Prometheus with
docker/prometheus.yml scraping both. Each process gets the arguments its container gets (the
Dockerfile's ENTRYPOINT plus the compose `command`), with service names replaced by
127.0.0.1:<free port>.

    GW_DEPLOYMENTS_BIN=build/deployments python3 tests/deploy/compose_topology.py
    (CTest: deploy_compose_topology)

Environment: GW_DEPLOYMENTS_BIN (required for the topology), GW_NGINX, GW_REDIS_SERVER,
GW_PROMETHEUS (default: found on the PATH; Prometheus is optional). Every process is stopped at
the end, also after a failure.
"""
import ctypes
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.parse
import urllib.request
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import yaml
except ImportError:
    sys.exit("PyYAML is required (Debian: apt-get install python3-yaml)")
import deploy_files as df

ENDPOINT = "limited"
CALLS = 3  # the endpoint's limit
PERIOD = 3600  # renewal_period: hour, in seconds
REQUESTS = 5
TEST_CONFIG = f"""\
endpoints:
  - name: {ENDPOINT}
    endpoint_type: llm/v1/chat
    model: {{provider: mock, name: mock-chat}}
    limit: {{renewal_period: hour, calls: {CALLS}, key: global}}
"""
CHAT_BODY = json.dumps({"messages": [{"role": "user", "content": "Hello"}]})

# ---- Prometheus text format ---------------------------------------------------------------------

SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?\s*$")
LABEL_RE = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)')


def parse_labels(text):
    labels, pos = {}, 0
    text = text.strip()
    while pos < len(text):
        m = LABEL_RE.match(text, pos)
        if not m:
            raise ValueError(f"bad label set: {{{text}}}")
        value = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), m.group(2))
        labels[m.group(1)] = value
        pos = m.end()
    return labels


def parse_metrics(text):
    """[(name, {label: value}, float)] for every sample of a text exposition."""
    samples = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            raise ValueError(f"not a sample line: {line!r}")
        samples.append((m.group(1), parse_labels(m.group(2) or ""), float(m.group(3))))
    return samples


def metric_sum(samples, name, **match):
    """The sum of `name`'s samples whose labels include `match`, whatever their other labels
    and their order."""
    return sum(v for n, labels, v in samples
               if n == name and all(labels.get(k) == want for k, want in match.items()))


class MetricsParserTest(unittest.TestCase):
    SAMPLE = r"""# HELP gateway_requests_total Requests answered.
# TYPE gateway_requests_total counter
gateway_requests_total{endpoint="limited",provider="mock",family="mlflow",code="2xx"} 2
gateway_requests_total{code="2xx",family="openai",endpoint="limited",provider="mock"} 1
gateway_requests_total{endpoint="limited",provider="mock",family="mlflow",code="4xx"} 2 17000
gateway_requests_total{endpoint="other",provider="mock",family="mlflow",code="2xx"} 7
gateway_requests_total{endpoint="a \"quoted\", {braced} name",code="2xx"} 1e0
gateway_request_seconds_bucket{endpoint="limited",le="+Inf"} 5
gateway_up 1
"""

    def test_label_sets_in_any_order(self):
        s = parse_metrics(self.SAMPLE)
        self.assertEqual(len(s), 7)
        self.assertEqual(metric_sum(s, "gateway_requests_total", endpoint="limited", code="2xx"), 3)
        self.assertEqual(metric_sum(s, "gateway_requests_total", endpoint="limited", code="4xx"), 2)
        self.assertEqual(metric_sum(s, "gateway_requests_total", endpoint="limited"), 5)
        self.assertEqual(metric_sum(s, "gateway_requests_total",
                                    endpoint='a "quoted", {braced} name'), 1)
        self.assertEqual(metric_sum(s, "gateway_up"), 1)
        self.assertEqual(metric_sum(s, "gateway_request_seconds_bucket", le="+Inf"), 5)
        self.assertEqual(metric_sum(s, "missing_total"), 0)

    def test_garbage_is_an_error(self):
        with self.assertRaises(ValueError):
            parse_metrics("gateway_requests_total{endpoint=limited} 1\n")
        with self.assertRaises(ValueError):
            parse_metrics("not a sample\n")


# ---- processes ----------------------------------------------------------------------------------

def free_ports(n):
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def die_with_parent():
    # The child gets SIGKILL when the test process dies, however it dies.
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Processes:
    def __init__(self, logdir):
        self.logdir = Path(logdir)
        self.procs = []  # (name, Popen)

    def start(self, name, argv):
        log = open(self.logdir / f"{name}.log", "wb")
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, preexec_fn=die_with_parent)
        log.close()
        self.procs.append((name, proc))
        return proc

    def log(self, name, tail=3000):
        path = self.logdir / f"{name}.log"
        return path.read_text(errors="replace")[-tail:] if path.exists() else ""

    def logs(self):
        return "".join(f"\n--- {name} (exit {p.poll()}) ---\n{self.log(name)}"
                       for name, p in self.procs)

    def stop_all(self):
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until(what, check, procs, timeout=30, watch=()):
    """Polls `check` (truthy = done) until `timeout`; fails at once when a process in `watch`
    exits."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        for name, proc in watch:
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited ({proc.returncode}) while waiting for "
                                     f"{what}{procs.logs()}")
        try:
            result = check()
            if result:
                return result
        except (OSError, http.client.HTTPException, ValueError, KeyError) as e:
            last = e
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what} (last error: {last}){procs.logs()}")


def http_request(port, method, path, body=None, conn=None, timeout=5):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        headers = {"Content-Type": "application/json"} if body is not None else {}
        conn.request(method, path, body=body, headers=headers)
        r = conn.getresponse()
        return r.status, r.read().decode(errors="replace")
    finally:
        if own:
            conn.close()


def redis_ready(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
        s.sendall(b"PING\r\n")
        return s.recv(64).startswith(b"+PONG")


# ---- configs derived from docker/ ---------------------------------------------------------------

def gateway_argv(binary, service, config_path, port, metrics_port, redis_port):
    """What the container runs: ENTRYPOINT + the compose service's command, on loopback."""
    entry = df.entrypoint()
    assert entry[0] == "deployments", entry
    argv = df.replace_option(entry[1:], "--host", "127.0.0.1")
    argv = df.replace_option(argv, "--config-path", str(config_path))
    command = df.compose()["services"][service]["command"]
    assert df.option_value(command, "--rate-limit-storage") == "redis://redis:6379", command
    command = df.replace_option(command, "--rate-limit-storage", f"redis://127.0.0.1:{redis_port}")
    command = df.replace_option(command, "--metrics-port", str(metrics_port))
    return [binary] + argv + command + ["--port", str(port)]


def nginx_conf(text, gateway_ports, listen_port, prefix):
    """docker/nginx.conf with the gateways' names, the listen port, and the pid, log and temp
    paths replaced; each replaced form must be there, so a changed file fails loudly here."""
    temp = "".join(f"\n  {kind}_temp_path {prefix}/{kind}_temp;"
                   for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    subs = [
        (r"server\s+gateway-1:5000\s*;", f"server 127.0.0.1:{gateway_ports[0]};"),
        (r"server\s+gateway-2:5000\s*;", f"server 127.0.0.1:{gateway_ports[1]};"),
        (r"listen\s+5000\s*;", f"listen 127.0.0.1:{listen_port};"),
        (r"(?m)^(\s*)pid\s+[^;]+;", rf"\g<1>pid {prefix}/nginx.pid;"),
        (r"(?m)^(\s*)error_log\s+[^;\s]+", rf"\g<1>error_log {prefix}/error.log"),
        (r"(?m)^(\s*)access_log\s+[^;\s]+", rf"\g<1>access_log {prefix}/access.log"),
        (r"(?m)^http\s*\{", "http {" + temp),
    ]
    for pattern, replacement in subs:
        text, n = re.subn(pattern, replacement, text)
        if n == 0:
            raise AssertionError(f"docker/nginx.conf: no match for {pattern!r}")
    return text


def prometheus_config(text, metrics_ports):
    config = yaml.safe_load(text)
    config["global"] = dict(config.get("global") or {}, scrape_interval="1s",
                            scrape_timeout="1s", evaluation_interval="1s")
    names = {"gateway-1:9100": metrics_ports[0], "gateway-2:9100": metrics_ports[1]}
    replaced = 0
    for job in config["scrape_configs"]:
        for sc in job.get("static_configs", []):
            targets = []
            for t in sc["targets"]:
                assert t in names, f"docker/prometheus.yml: unexpected target {t}"
                targets.append(f"127.0.0.1:{names[t]}")
                replaced += 1
            sc["targets"] = targets
    assert replaced == 2, "docker/prometheus.yml must scrape gateway-1:9100 and gateway-2:9100"
    return yaml.safe_dump(config)


def wait_out_window_end(margin=10):
    """The limit counts per aligned window (an hour): if this one ends within `margin` seconds,
    the 5 requests start in the next one, so that they all fall in one window."""
    left = PERIOD - time.time() % PERIOD
    if left < margin:
        time.sleep(left + 0.5)


# ---- the topology -------------------------------------------------------------------------------

class ComposeTopologyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.binary = os.environ.get("GW_DEPLOYMENTS_BIN")
        cls.nginx = os.environ.get("GW_NGINX") or shutil.which("nginx") or (
            "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None)
        cls.redis = os.environ.get("GW_REDIS_SERVER") or shutil.which("redis-server")
        cls.prometheus = os.environ.get("GW_PROMETHEUS") or shutil.which("prometheus")
        missing = [n for n, v in (("GW_DEPLOYMENTS_BIN", cls.binary), ("nginx", cls.nginx),
                                  ("redis-server", cls.redis)) if not v]
        if missing:
            raise unittest.SkipTest(f"needs {', '.join(missing)}")
        tmp = tempfile.mkdtemp(prefix="gw-topology-")
        cls.addClassCleanup(shutil.rmtree, tmp, ignore_errors=True)
        cls.tmp = Path(tmp)
        cls.procs = Processes(tmp)
        cls.addClassCleanup(cls.procs.stop_all)
        cls.start_topology()
        cls.send_requests()

    @classmethod
    def start_topology(cls):
        procs = cls.procs
        (redis_port, gw1, gw2, m1, m2, nginx_port, prom_port) = free_ports(7)
        cls.gateway_ports, cls.metrics_ports = [gw1, gw2], [m1, m2]
        cls.nginx_port, cls.prom_port = nginx_port, prom_port

        redis = procs.start("redis", [cls.redis, "--port", str(redis_port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no"])
        wait_until("redis-server", lambda: redis_ready(redis_port), procs, watch=[("redis", redis)])

        # The config directory, as the containers mount it.
        config_dir = cls.tmp / "gateway-config"
        config_dir.mkdir()
        (config_dir / "config.yaml").write_text(TEST_CONFIG)
        cls.gateways = []
        for i, service in enumerate(("gateway-1", "gateway-2")):
            argv = gateway_argv(cls.binary, service, config_dir / "config.yaml",
                                cls.gateway_ports[i], cls.metrics_ports[i], redis_port)
            cls.gateways.append((service, procs.start(service, argv)))
        for (service, proc), port in zip(cls.gateways, cls.gateway_ports):
            wait_until(f"{service} GET /health",
                       lambda p=port: http_request(p, "GET", "/health")[0] == 200,
                       procs, watch=[(service, proc)])

        prefix = cls.tmp / "nginx"
        prefix.mkdir()
        conf = prefix / "nginx.conf"
        conf.write_text(
            nginx_conf(df.NGINX_CONF.read_text(), cls.gateway_ports, nginx_port, prefix))
        # In the foreground, as the nginx image runs it; and as one process (no workers), so
        # that it dies with this test however the test ends.
        nginx = procs.start("nginx", [cls.nginx, "-p", f"{prefix}/", "-e", f"{prefix}/error.log",
                                      "-c", str(conf), "-g", "daemon off; master_process off;"])
        wait_until("nginx GET /health",
                   lambda: http_request(nginx_port, "GET", "/health")[0] == 200,
                   procs, watch=[("nginx", nginx)])

        cls.prometheus_proc = None
        if cls.prometheus:
            pconf = cls.tmp / "prometheus.yml"
            pconf.write_text(prometheus_config(df.PROMETHEUS_YML.read_text(), cls.metrics_ports))
            cls.prometheus_proc = procs.start("prometheus", [
                cls.prometheus, f"--config.file={pconf}",
                f"--storage.tsdb.path={cls.tmp}/prom-data",
                f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"])

    @classmethod
    def send_requests(cls):
        wait_out_window_end()
        conn = http.client.HTTPConnection("127.0.0.1", cls.nginx_port, timeout=10)
        try:
            path = f"/endpoints/{ENDPOINT}/invocations"
            cls.replies = [http_request(cls.nginx_port, "POST", path, CHAT_BODY, conn=conn)
                           for _ in range(REQUESTS)]
        finally:
            conn.close()

    def scrape(self, i):
        status, text = http_request(self.metrics_ports[i], "GET", "/metrics")
        self.assertEqual(status, 200, text)
        return parse_metrics(text)

    def test_limit_is_shared_through_redis_behind_nginx(self):
        statuses = [s for s, _ in self.replies]
        self.assertEqual(statuses, [200] * CALLS + [429] * (REQUESTS - CALLS),
                         f"{self.replies}{self.procs.logs()}")
        self.assertIn("Rate limit exceeded", self.replies[-1][1])

    def test_metrics_of_both_gateways_add_up(self):
        def totals():
            per_gateway = [self.scrape(i) for i in range(2)]
            ok = sum(metric_sum(s, "gateway_requests_total", endpoint=ENDPOINT, code="2xx")
                     for s in per_gateway)
            limited = sum(metric_sum(s, "gateway_requests_total", endpoint=ENDPOINT, code="4xx")
                          for s in per_gateway)
            served = [metric_sum(s, "gateway_requests_total", endpoint=ENDPOINT)
                      for s in per_gateway]
            return ok, limited, served

        # A response may be written just before its request is counted: poll for the totals.
        try:
            wait_until("the request counters", lambda: totals()[:2] == (CALLS, REQUESTS - CALLS),
                       self.procs, timeout=5)
        except AssertionError:
            pass  # the exact assertions below say what is wrong
        ok, limited, served = totals()
        self.assertEqual(ok, CALLS, f"2xx over both gateways; per gateway: {served}")
        self.assertEqual(limited, REQUESTS - CALLS,
                         f"4xx over both gateways; per gateway: {served}")
        for service, n in zip(("gateway-1", "gateway-2"), served):
            self.assertGreaterEqual(n, 1, f"nginx sent {service} no request: {served}")

    def test_promtool_checks_a_real_scrape(self):
        # `promtool check metrics` parses the exposition and lints names, types and units.
        promtool = os.environ.get("GW_PROMTOOL") or shutil.which("promtool")
        if not promtool:
            self.skipTest("promtool not found (Debian package prometheus; .ci/setup installs it)")
        status, text = http_request(self.metrics_ports[0], "GET", "/metrics")
        self.assertEqual(status, 200, text)
        self.assertIn('gateway_requests_total{endpoint="' + ENDPOINT + '"', text)
        r = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                           text=True, timeout=60)
        self.assertEqual(r.returncode, 0, f"{r.stdout}{r.stderr}")
        self.assertEqual(r.stdout + r.stderr, "", "promtool reported lint problems")

    def test_prometheus_scrapes_both_gateways(self):
        if not self.prometheus_proc:
            self.skipTest("prometheus not installed (Debian package prometheus)")
        base = f"http://127.0.0.1:{self.prom_port}"
        watch = [("prometheus", self.prometheus_proc)]

        def get(path):
            with urllib.request.urlopen(base + path, timeout=2) as r:
                return json.load(r) if path.startswith("/api/") else r.status

        wait_until("Prometheus ready", lambda: get("/-/ready") == 200, self.procs, watch=watch)
        want = {f"127.0.0.1:{p}" for p in self.metrics_ports}

        def targets_up():
            active = get("/api/v1/targets")["data"]["activeTargets"]
            health = {t["labels"]["instance"]: (t["health"], t.get("lastError", ""))
                      for t in active}
            self.last_targets = health
            return want <= set(health) and all(health[t][0] == "up" for t in want)

        self.last_targets = None
        try:
            wait_until("both targets up", targets_up, self.procs, watch=watch)
        except AssertionError as e:
            self.fail(f"targets: {self.last_targets}\n{e}")

        query = f'sum(gateway_requests_total{{endpoint="{ENDPOINT}"}})'

        def scraped_total():
            url = "/api/v1/query?query=" + urllib.parse.quote(query)
            result = get(url)["data"]["result"]
            return result and float(result[0]["value"][1]) == REQUESTS

        wait_until(f"Prometheus to have scraped {query} == {REQUESTS}", scraped_total, self.procs,
                   watch=watch)

    def test_healthcheck_subcommand(self):
        # The image's HEALTHCHECK: exit 0 on a 200, else 1.
        def run(*args):
            return subprocess.run([self.binary, "healthcheck", *args], capture_output=True,
                                  text=True, timeout=20)

        port = self.gateway_ports[0]
        r = run("--url", f"http://127.0.0.1:{port}/health")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run("--url", f"http://127.0.0.1:{self.nginx_port}/health", "--timeout", "2")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = run("--url", f"http://127.0.0.1:{port}/no-such-path")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        (closed,) = free_ports(1)
        r = run("--url", f"http://127.0.0.1:{closed}/health", "--timeout", "1")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
