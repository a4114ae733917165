"""Readers for the deployment files in docker/, shared by test_deploy_files.py and
compose_topology.py: the Dockerfile's instructions per stage, the runtime stage's apt list,
compose.yaml, the Kubernetes manifests, and .dockerignore's rules."""
import json
import os
import re
import shlex
from pathlib import Path

import yaml

ROOT = Path(os.environ.get("GW_SOURCE_DIR") or Path(__file__).resolve().parents[2])
DOCKER = ROOT / "docker"
DOCKERFILE = DOCKER / "Dockerfile"
COMPOSE = DOCKER / "compose.yaml"
KUBERNETES = DOCKER / "kubernetes"
NGINX_CONF = DOCKER / "nginx.conf"
PROMETHEUS_YML = DOCKER / "prometheus.yml"
EXAMPLE_CONFIG = ROOT / "config" / "example.yaml"
PACKAGES_BEGIN = "# runtime-packages: begin"
PACKAGES_END = "# runtime-packages: end"


def dockerfile_stages(text):
    """[(from_args, [(INSTRUCTION, args), ...]), ...]: comment lines dropped, continuations
    joined, one entry per FROM."""
    instructions, current = [], ""
    for line in text.splitlines():
        if re.match(r"\s*#", line):
            continue
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            word, _, args = current.strip().partition(" ")
            instructions.append((word.upper(), args.strip()))
        current = ""
    stages = []
    for word, args in instructions:
        if word == "FROM":
            stages.append((args, []))
        elif stages:
            stages[-1][1].append((word, args))
    return stages


def exec_form(args):
    """An instruction's JSON (exec) form as a list, or its shell form split into words."""
    args = args.strip()
    if args.startswith("["):
        return json.loads(args)
    return shlex.split(args)


def entrypoint():
    _, instructions = dockerfile_stages(DOCKERFILE.read_text())[-1]
    entries = [args for word, args in instructions if word == "ENTRYPOINT"]
    return exec_form(entries[-1]) if entries else None


def runtime_packages(text):
    """The packages of the `apt-get install` between the runtime-packages markers (the same rule
    as docker/check-runtime-libs.sh)."""
    block = text.split(PACKAGES_BEGIN, 1)[1].split(PACKAGES_END, 1)[0]
    lines = [line for line in block.splitlines() if not line.lstrip().startswith("#")]
    words = " ".join(line.rstrip().rstrip("\\") for line in lines).split()
    packages, on = [], False
    for w in words:
        if w == "install":
            on = True
        elif w == "&&":
            on = False
        elif on and not w.startswith("-") and "=" not in w:
            packages.append(w)
    return packages


def compose():
    return yaml.safe_load(COMPOSE.read_text())


def kubernetes_documents():
    docs = []
    for path in sorted(KUBERNETES.glob("*.yaml")):
        docs += [(path.name, d) for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def option_value(argv, flag):
    """The value after `flag` (or of `flag=value`) in an argument list, else None."""
    for i, a in enumerate(argv):
        if a == flag and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith(flag + "="):
            return a[len(flag) + 1:]
    return None


def replace_option(argv, flag, value):
    """argv with the value of `flag` replaced; the flag must be there."""
    out, found = list(argv), False
    for i, a in enumerate(out):
        if a == flag and i + 1 < len(out):
            out[i + 1], found = value, True
        elif a.startswith(flag + "="):
            out[i], found = f"{flag}={value}", True
    if not found:
        raise AssertionError(f"{flag} is not in {argv}")
    return out


class DockerIgnore:
    """.dockerignore's rules as Docker applies them: patterns relative to the context root,
    `*` and `?` within one path element, `**` across elements, a pattern that matches a
    directory also excludes everything below it, and the last matching rule wins (`!` keeps)."""

    def __init__(self, text):
        self.rules = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = line[1:].strip() if keep else line
            pattern = os.path.normpath(pattern).lstrip("/")
            self.rules.append((keep, re.compile(self._regex(pattern))))

    @staticmethod
    def _regex(pattern):
        out, i = "", 0
        while i < len(pattern):
            c = pattern[i]
            if pattern.startswith("**/", i):
                out += "(?:.*/)?"
                i += 3
                continue
            if pattern.startswith("**", i):
                out += ".*"
                i += 2
                continue
            out += "[^/]*" if c == "*" else "[^/]" if c == "?" else re.escape(c)
            i += 1
        return "^" + out + "$"

    def excluded(self, path):
        parts = path.split("/")
        prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
        result = False
        for keep, rx in self.rules:
            if any(rx.match(p) for p in prefixes):
                result = not keep
        return result
