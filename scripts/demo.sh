#!/usr/bin/env bash
# The main job: installs what is needed, builds, checks the engine on this machine, then
# trains the text-tiny recipe end to end (WordNet glosses -> text codec -> shards -> a
# 5M-parameter transformer, about seven minutes on 2 cores) and prints samples from it.
# Running it again reuses the data and resumes or reuses the trained model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh build
build/tessera --version
build/tessera selfcheck
recipes/text-tiny.sh "$@"
