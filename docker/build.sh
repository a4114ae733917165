#!/usr/bin/env bash
# The container image's build: the `deployments` server alone, Release, tests off, stripped.
# docker/Dockerfile's build stage runs it, and so does CI (.ci/run) on the plain machine, so the
# binary CI checks (docker/check-runtime-libs.sh) is built the way the image's is.
#
#   docker/build.sh [BUILD_DIR]     BUILD_DIR defaults to build-image; the binary is
#                                   BUILD_DIR/deployments
#
# Needs the packages of `.ci/setup --runtime`.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-build-image}"
cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGATEWAY_BUILD_TESTS=OFF
cmake --build "$dir" --target deployments
strip "$dir/deployments"
