#!/usr/bin/env bash
# The Fashion-MNIST image codec end to end: the data (once), the training run of
# image-codec-fashion.json (at most 18 minutes of training on the machine's cores), then the
# held-out measurement and a grid of originals over reconstructions.
#
#   recipes/image-codec-fashion.sh [OUT_DIR]      (default runs/image-codec-fashion)
#
# Extra options for `codec train image` can follow in TESSERA_TRAIN_ARGS, e.g.
# TESSERA_TRAIN_ARGS="--minutes 2" for a quick look.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/image-codec-fashion}
data=data/image/fashion_mnist
tessera=${TESSERA:-build/tessera}

[ -x "$tessera" ] || scripts/build.sh build
[ -f "$data/valid.json" ] || /usr/bin/python3 scripts/data/fashion_mnist.py --out "$data"
mkdir -p "$out"
# shellcheck disable=SC2086  # the extra options are meant to split into words
"$tessera" codec train image --data "$data" --split train --valid-split valid \
  --config recipes/image-codec-fashion.json --out "$out/image.safetensors" ${TESSERA_TRAIN_ARGS:-} \
  2>&1 | tee "$out/train.log"
"$tessera" codec eval image --codec "$out/image.safetensors" --data "$data" --split valid \
  --grid "$out/reconstructions.png" | tee "$out/eval.txt"
