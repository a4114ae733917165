#!/usr/bin/env python3
"""The deployment files in docker/ without a container engine: the Dockerfile's stages and
instructions, .dockerignore against what the build stage copies, compose.yaml, the Kubernetes
manifests (and the Kubernetes examples in the docs), nginx.conf, prometheus.yml (promtool), and
docker/check-runtime-libs.sh against the built binary.

    python3 tests/deploy/test_deploy_files.py        (CTest: deploy_files)

Environment (set by tests/CMakeLists.txt): GW_RUNTIME_LIBS_BIN, a non-sanitizer build of
`deployments` for the runtime-library check; GW_PROMTOOL, promtool. Without them those checks
are skipped.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import yaml  # noqa: F401  (deploy_files needs it)
except ImportError:
    sys.exit("PyYAML is required (Debian: apt-get install python3-yaml)")
import deploy_files as df

ENTRYPOINT = ["deployments", "start-server", "--host", "0.0.0.0",
              "--config-path", "/etc/gateway/config.yaml"]
# Arguments appended to the ENTRYPOINT must not repeat it (a second --config-path or --host, or
# the word start-server, makes the binary exit 2 and the container restart forever).
FORBIDDEN_ARGS = {"deployments", "start-server", "--config-path", "--host"}
BASE_IMAGE_PACKAGES = {"libc6", "libstdc++6", "libgcc-s1"}


def forbidden_in(args):
    return sorted(a for a in args if a.split("=", 1)[0] in FORBIDDEN_ARGS)


class DockerfileTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.text = df.DOCKERFILE.read_text()
        cls.stages = df.dockerfile_stages(cls.text)
        cls.build = cls.stages[0][1]
        cls.runtime = cls.stages[-1][1]

    def instructions(self, stage, word):
        return [args for w, args in stage if w == word]

    def test_two_stages_on_debian_bookworm(self):
        self.assertEqual(len(self.stages), 2, [s[0] for s in self.stages])
        self.assertRegex(self.stages[0][0], r"^debian:bookworm\s+AS\s+build$")
        self.assertEqual(self.stages[1][0], "debian:bookworm-slim")

    def test_build_stage_installs_with_ci_setup_runtime(self):
        copies = [df.exec_form(a) for a in self.instructions(self.build, "COPY")]
        self.assertIn([".ci/setup", ".ci/setup"], copies)
        runs = self.instructions(self.build, "RUN")
        self.assertTrue(any(re.search(r"\bbash \.ci/setup --runtime\b", r) for r in runs), runs)
        self.assertFalse(any("apt-get install" in r for r in runs),
                         "the build stage installs packages only through .ci/setup --runtime")

    def test_build_stage_builds_with_docker_build_sh(self):
        copies = [df.exec_form(a) for a in self.instructions(self.build, "COPY")]
        for src in ("docker/build.sh", "CMakeLists.txt", "config/", "providers/", "gateway/"):
            self.assertTrue(any(c[0] == src for c in copies), f"COPY {src} missing: {copies}")
        for c in copies:
            self.assertNotIn(c[0], (".", "./"), "the build stage copies named sources only")
            self.assertNotIn("node_modules", " ".join(c))
        runs = self.instructions(self.build, "RUN")
        self.assertTrue(any(re.search(r"\bbash docker/build\.sh\b", r) for r in runs), runs)
        script = (df.DOCKER / "build.sh").read_text()
        for needle in ("-G Ninja", "-DCMAKE_BUILD_TYPE=Release", "-DGATEWAY_BUILD_TESTS=OFF",
                       "--target deployments", "strip "):
            self.assertIn(needle, script)

    def test_runtime_stage(self):
        runtime = self.runtime
        users = self.instructions(runtime, "USER")
        self.assertTrue(users, "no USER: the container would run as root")
        user = users[-1].split(":")[0]
        self.assertNotIn(user, ("root", "0"))
        self.assertIn("5000", " ".join(self.instructions(runtime, "EXPOSE")).split())
        self.assertEqual(self.instructions(runtime, "STOPSIGNAL"), ["SIGTERM"])
        checks = self.instructions(runtime, "HEALTHCHECK")
        self.assertEqual(len(checks), 1, checks)
        options, _, command = checks[0].partition("CMD")
        self.assertEqual(df.exec_form(command)[:2], ["deployments", "healthcheck"], checks[0])
        self.assertEqual(df.entrypoint(), ENTRYPOINT)
        self.assertFalse(self.instructions(runtime, "CMD"), "a CMD would be appended to ENTRYPOINT")

    def test_runtime_stage_packages(self):
        packages = df.runtime_packages(self.text)
        # libhiredis0.14 was once missing: the binary failed to start in the image.
        for p in ("libhiredis0.14", "libssl3", "libyaml-cpp0.7", "libmimalloc2.0",
                  "libsimdjson14", "ca-certificates"):
            self.assertIn(p, packages)
        self.assertFalse(BASE_IMAGE_PACKAGES & set(packages))
        self.assertFalse([p for p in packages if p.endswith("-dev")], packages)

    def test_default_config_lives_in_the_directory_etc_gateway(self):
        copies = [df.exec_form(a) for a in self.instructions(self.runtime, "COPY")]
        self.assertIn(["config/example.yaml", "/etc/gateway/config.yaml"], copies)

    def test_ci_runs_the_image_build_and_the_library_check(self):
        run = (df.ROOT / ".ci" / "run").read_text()
        self.assertIn("bash docker/build.sh build-image", run)
        self.assertIn("bash docker/check-runtime-libs.sh build-image/deployments", run)
        self.assertRegex((df.ROOT / ".ci" / "setup").read_text(), r"\bprometheus\b")


class DockerignoreTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ignore = df.DockerIgnore((df.ROOT / ".dockerignore").read_text())

    def source_files(self, top):
        try:
            out = subprocess.run(["git", "-C", str(df.ROOT), "ls-files", "--", top],
                                 capture_output=True, text=True, check=True).stdout.split()
            if out:
                return out
        except (OSError, subprocess.CalledProcessError):
            pass
        base = df.ROOT / top
        if base.is_file():
            return [top]
        return [str(p.relative_to(df.ROOT)) for p in base.rglob("*")
                if p.is_file() and "node_modules" not in p.parts]

    def test_everything_the_build_copies_is_in_the_context(self):
        stages = df.dockerfile_stages(df.DOCKERFILE.read_text())
        sources = [df.exec_form(a)[0] for _, ins in stages for w, a in ins
                   if w == "COPY" and not a.startswith("--from")]
        self.assertGreaterEqual(len(sources), 6)
        for src in sources:
            files = self.source_files(src.rstrip("/"))
            self.assertTrue(files, f"COPY {src}: no such file in the repository")
            for f in files:
                self.assertFalse(self.ignore.excluded(f), f"{f} (COPY {src}) is in .dockerignore")

    def test_host_build_output_and_node_modules_stay_out(self):
        for path in ("build/CMakeCache.txt", "build-image/deployments", "build-asan/x",
                     "gateway/apidocs/node_modules/swagger-ui-dist/index.html",
                     "tests/sdk/node_modules/openai/index.js", ".git/HEAD", "tests/CMakeLists.txt",
                     "docs/api.md", ".ci/run"):
            self.assertTrue(self.ignore.excluded(path), f"{path} would be sent to the build")

    def test_matcher(self):
        rules = df.DockerIgnore("a/*\n!a/keep\n**/nm\nb*\n")
        self.assertTrue(rules.excluded("a/x"))
        self.assertFalse(rules.excluded("a/keep"))
        self.assertTrue(rules.excluded("x/y/nm/z"))
        self.assertTrue(rules.excluded("build-1/f"))
        self.assertFalse(rules.excluded("x/build"))
        self.assertFalse(rules.excluded("c"))


class ComposeTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.compose = df.compose()
        cls.services = cls.compose["services"]

    def test_services(self):
        self.assertLessEqual({"gateway-1", "gateway-2", "nginx", "redis", "prometheus"},
                             set(self.services))

    def test_gateways(self):
        for name in ("gateway-1", "gateway-2"):
            with self.subTest(name):
                s = self.services[name]
                build = s["build"]
                self.assertEqual(build["context"], "..")
                self.assertEqual(build["dockerfile"], "docker/Dockerfile")
                self.assertTrue((df.DOCKER / build["context"] / build["dockerfile"]).is_file())
                command = s["command"]
                self.assertTrue(all(isinstance(a, str) for a in command), command)
                self.assertEqual(forbidden_in(command), [])
                self.assertEqual(df.option_value(command, "--rate-limit-storage"),
                                 "redis://redis:6379")
                self.assertEqual(df.option_value(command, "--metrics-port"), "9100")

    def test_config_is_mounted_as_a_directory(self):
        for name in ("gateway-1", "gateway-2"):
            with self.subTest(name):
                mounts = [v.split(":") for v in self.services[name]["volumes"]]
                config = [m for m in mounts if m[1].startswith("/etc/gateway")]
                self.assertEqual(len(config), 1, mounts)
                source, target = config[0][0], config[0][1]
                self.assertEqual(target.rstrip("/"), "/etc/gateway", "mount the directory")
                self.assertTrue((df.DOCKER / source).is_dir(), source)
                self.assertTrue((df.DOCKER / source / "config.yaml").is_file())

    def test_example_config_copy_is_identical(self):
        # docker/gateway-config/config.yaml is what `docker compose up` serves: the example.
        copy = df.DOCKER / "gateway-config" / "config.yaml"
        self.assertEqual(copy.read_bytes(), df.EXAMPLE_CONFIG.read_bytes(),
                         f"{copy} differs from config/example.yaml: cp config/example.yaml {copy}")

    def test_nginx_and_prometheus(self):
        nginx = self.services["nginx"]
        self.assertIn("5000:5000", [str(p) for p in nginx["ports"]])
        self.assertTrue(any(v.startswith("./nginx.conf:") for v in nginx["volumes"]))
        conf = df.NGINX_CONF.read_text()
        self.assertRegex(conf, r"server\s+gateway-1:5000\s*;")
        self.assertRegex(conf, r"server\s+gateway-2:5000\s*;")
        self.assertRegex(conf, r"proxy_buffering\s+off\s*;")
        timeout = re.search(r"proxy_read_timeout\s+(\d+)s\s*;", conf)
        self.assertTrue(timeout and int(timeout.group(1)) >= 300, "SSE needs long read timeouts")
        self.assertNotRegex(conf, r"(?m)^\s*(daemon|master_process)\s",
                            "set on the command line (nginx -g), not in the file")
        prometheus = self.services["prometheus"]
        self.assertTrue(any(v.startswith("./prometheus.yml:") for v in prometheus["volumes"]))
        scrape = yaml.safe_load(df.PROMETHEUS_YML.read_text())["scrape_configs"]
        targets = [t for job in scrape for sc in job.get("static_configs", [])
                   for t in sc["targets"]]
        self.assertEqual(sorted(targets), ["gateway-1:9100", "gateway-2:9100"])
        self.assertTrue(all(job.get("metrics_path", "/metrics") == "/metrics" for job in scrape))

    def test_redis(self):
        self.assertTrue(self.services["redis"]["image"].startswith("redis:"))


class KubernetesTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs = df.kubernetes_documents()

    def of_kind(self, kind):
        return [d for _, d in self.docs if d.get("kind") == kind]

    def gateway(self):
        deployments = [d for d in self.of_kind("Deployment") if d["metadata"]["name"] == "gateway"]
        self.assertEqual(len(deployments), 1)
        return deployments[0]

    def test_gateway_deployment(self):
        d = self.gateway()
        self.assertEqual(d["spec"]["replicas"], 2)
        pod = d["spec"]["template"]["spec"]
        (c,) = pod["containers"]
        self.assertIn(5000, [p["containerPort"] for p in c["ports"]])
        for probe in ("livenessProbe", "readinessProbe"):
            with self.subTest(probe):
                self.assertEqual(c[probe]["httpGet"]["path"], "/health")
                self.assertEqual(c[probe]["httpGet"]["port"], 5000)
        self.assertNotIn("command", c, "keep the image's ENTRYPOINT; give extra flags in args")
        args = c["args"]
        self.assertTrue(all(isinstance(a, str) for a in args), args)
        self.assertEqual(forbidden_in(args), [])
        self.assertEqual(df.option_value(args, "--rate-limit-storage"), "redis://redis:6379")
        self.assertEqual(df.option_value(args, "--metrics-port"), "9100")
        self.assertTrue(pod["securityContext"]["runAsNonRoot"])

    def test_config_map_mounted_as_a_directory(self):
        pod = self.gateway()["spec"]["template"]["spec"]
        (c,) = pod["containers"]
        mounts = [m for m in c["volumeMounts"] if m["mountPath"].startswith("/etc/gateway")]
        self.assertEqual(len(mounts), 1, c["volumeMounts"])
        self.assertEqual(mounts[0]["mountPath"], "/etc/gateway")
        self.assertNotIn("subPath", mounts[0], "a subPath mount never sees ConfigMap updates")
        (volume,) = [v for v in pod["volumes"] if v["name"] == mounts[0]["name"]]
        name = volume["configMap"]["name"]
        self.assertNotIn("items", volume["configMap"])
        (cm,) = [m for m in self.of_kind("ConfigMap") if m["metadata"]["name"] == name]
        self.assertEqual(cm["data"]["config.yaml"], df.EXAMPLE_CONFIG.read_text(),
                         "configmap.yaml's config.yaml is config/example.yaml")

    def test_services_select_their_pods(self):
        services = {s["metadata"]["name"]: s for s in self.of_kind("Service")}
        gw_labels = self.gateway()["spec"]["template"]["metadata"]["labels"]
        self.assertLessEqual(services["gateway"]["spec"]["selector"].items(), gw_labels.items())
        self.assertIn(5000, [p["port"] for p in services["gateway"]["spec"]["ports"]])
        (redis,) = [d for d in self.of_kind("Deployment") if d["metadata"]["name"] == "redis"]
        redis_labels = redis["spec"]["template"]["metadata"]["labels"]
        self.assertLessEqual(services["redis"]["spec"]["selector"].items(), redis_labels.items())
        self.assertIn(6379, [p["port"] for p in services["redis"]["spec"]["ports"]])

    def test_every_kubernetes_example_in_the_docs_keeps_the_entrypoint(self):
        blocks = 0
        for md in [df.ROOT / "README.md", df.DOCKER / "README.md",
                   *sorted((df.ROOT / "docs").glob("*.md"))]:
            for block in re.findall(r"(?ms)^```yaml kubernetes\n(.*?)^```", md.read_text()):
                blocks += 1
                for doc in yaml.safe_load_all(block):
                    for c in find_containers(doc):
                        if "command" not in c:
                            self.assertEqual(forbidden_in(c.get("args", [])), [],
                                             f"{md.name}: args repeat the ENTRYPOINT")
        self.assertGreaterEqual(blocks, 1)


def find_containers(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "containers" and isinstance(v, list):
                yield from (c for c in v if isinstance(c, dict))
            else:
                yield from find_containers(v)
    elif isinstance(node, list):
        for v in node:
            yield from find_containers(v)


class PrometheusConfigTest(unittest.TestCase):
    def test_promtool_check_config(self):
        promtool = os.environ.get("GW_PROMTOOL") or shutil.which("promtool")
        if not promtool:
            self.skipTest("promtool not found (Debian package prometheus; .ci/setup installs it)")
        r = subprocess.run([promtool, "check", "config", str(df.PROMETHEUS_YML)],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)


class RuntimeLibsTest(unittest.TestCase):
    """docker/check-runtime-libs.sh against the built binary (a non-sanitizer build links the
    same libraries as the image's Release build)."""

    @classmethod
    def setUpClass(cls):
        cls.binary = os.environ.get("GW_RUNTIME_LIBS_BIN")
        if not cls.binary:
            raise unittest.SkipTest("GW_RUNTIME_LIBS_BIN not set (a non-sanitizer build sets it)")
        if not shutil.which("dpkg-query") or not shutil.which("ldd"):
            raise unittest.SkipTest("needs Debian's dpkg-query and ldd")

    def check(self, dockerfile_text=None):
        env = dict(os.environ)
        with tempfile.TemporaryDirectory() as tmp:
            if dockerfile_text is not None:
                path = Path(tmp) / "Dockerfile"
                path.write_text(dockerfile_text)
                env["DOCKERFILE"] = str(path)
            return subprocess.run(["bash", str(df.DOCKER / "check-runtime-libs.sh"), self.binary],
                                  capture_output=True, text=True, env=env)

    def test_the_dockerfile_matches_the_binary(self):
        r = self.check()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_a_missing_library_package_fails(self):
        text = df.DOCKERFILE.read_text()
        self.assertIn("      libhiredis0.14 \\\n", text)
        r = self.check(text.replace("      libhiredis0.14 \\\n", ""))
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("package libhiredis0.14 (libhiredis.so.0.14) is missing", r.stderr)

    def test_an_unneeded_package_fails(self):
        text = df.DOCKERFILE.read_text().replace("      libssl3 \\\n",
                                                 "      libssl3 \\\n      curl \\\n")
        r = self.check(text)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("package curl is in the runtime stage's apt list", r.stderr)


if __name__ == "__main__":
    unittest.main(verbosity=2)
