#!/usr/bin/env bash
# An image codec end to end: the data (once), the training run of recipes/image-codec-NAME.json
# (its optimization.minutes of training on the machine's cores, ending with the held-out
# measurement), then a grid of originals over reconstructions. A run stopped before its end
# (Ctrl-C) continues when the script runs again.
#
#   recipes/image-codec.sh NAME [OUT_DIR]     NAME: fashion, fashion-vq or emoji
#                                             (default OUT_DIR runs/image-codec-NAME)
#
# Extra options for `tessera train` can follow in TESSERA_TRAIN_ARGS, e.g.
# TESSERA_TRAIN_ARGS="--set optimization.minutes=2" for a quick look.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: recipes/image-codec.sh fashion|fashion-vq|emoji [OUT_DIR]}
recipe=recipes/image-codec-$name.json
[ -f "$recipe" ] || { echo "recipes/image-codec.sh: no recipe $recipe" >&2; exit 2; }
out=${2:-runs/image-codec-$name}
tessera=${TESSERA:-build/tessera}

[ -x "$tessera" ] || scripts/build.sh build
case $name in
  fashion*)
    data=data/image/fashion_mnist
    [ -f "$data/valid.json" ] || /usr/bin/python3 scripts/data/fashion_mnist.py --out "$data"
    ;;
  emoji*)
    data=data/image/openmoji
    [ -f "$data/valid.json" ] || scripts/data/openmoji.sh
    ;;
esac
mkdir -p "$out"
resume=()
[ -d "$out/checkpoint" ] && resume=(--resume)
# shellcheck disable=SC2086  # the extra options are meant to split into words
"$tessera" train --config "$recipe" --out "$out" "${resume[@]}" ${TESSERA_TRAIN_ARGS:-} 2>&1 | tee "$out/train.log"
"$tessera" codec eval image --codec "$out/image.safetensors" --data "$data" --split valid \
  --grid "$out/reconstructions.png" | tee "$out/eval.txt"
