#!/usr/bin/env bash
# The main job: installs what is needed, builds, and runs Tessera. For now that is the
# version and a self-check that trains a tiny transformer and shows its loss falling.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
build/tessera --version
build/tessera selfcheck "$@"
