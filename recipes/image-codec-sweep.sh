#!/usr/bin/env bash
# The tokenizer as the ceiling: held-out PSNR of the image codec against its codebook size
# and against its codes per image, every point trained for the same wall-clock budget.
#
#   recipes/image-codec-sweep.sh [OUT_DIR] [MINUTES] [JOBS]
#   (defaults runs/image-codec-sweep, 6 minutes per point, 2 points at once)
#
#   codebook size (Fashion-MNIST 28x28, 7x7 = 49 codes): FSQ levels [8,6,5] = 240,
#       [8,5,5,5] = 1000, [7,5,5,5,5] = 4375
#   codes per image (OpenMoji 64x64, the emoji recipe's network with FSQ [8,5,5,5]): 2, 3 and 4 stride-2 downsamplings
#       give 16x16 = 256, 8x8 = 64 and 4x4 = 16 codes
#
# Each point trains on one thread, JOBS of them at once. Writes OUT_DIR/{codebook,grid}.csv
# and a PNG for each.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/image-codec-sweep}
minutes=${2:-6}
jobs=${3:-2}
tessera=${TESSERA:-build/tessera}
mkdir -p "$out"
[ -f data/image/fashion_mnist/valid.json ] || /usr/bin/python3 scripts/data/fashion_mnist.py
[ -f data/image/openmoji/valid.json ] || scripts/data/openmoji.sh

# config NAME BASE_RECIPE PYTHON_EDIT: a copy of a recipe with one field changed, its data
# folder still found from where the copy lives.
config() {
  /usr/bin/python3 - "$2" "$out/$1.json" "$3" <<'PY'
import json, os, sys
source, target = sys.argv[1], sys.argv[2]
recipe = json.load(open(source))
codec = recipe["codec"]
data = os.path.join(os.path.dirname(source), recipe["data"]["dir"])
recipe["data"]["dir"] = os.path.relpath(data, os.path.dirname(target))
exec(sys.argv[3])
json.dump(recipe, open(target, "w"), indent=1)
PY
}

# run NAME DATA: trains one point (no held-out pass during training) and evaluates it; the
# eval lines go to NAME.eval.
run() {
  rm -rf "${out:?}/$1"
  "$tessera" --threads 1 train --config "$out/$1.json" --out "$out/$1" --set optimization.minutes="$minutes" \
    --set eval.images=0 > "$out/$1.train.log" 2>&1
  "$tessera" --threads 1 codec eval image --codec "$out/$1/image.safetensors" --data "data/image/$2" --split valid \
    --grid "$out/$1.png" > "$out/$1.eval"
  echo "$1: $(grep -h -E '^(PSNR|code usage)' "$out/$1.eval" | tr '\n' ' ')"
}

config levels-240 recipes/image-codec-fashion.json 'codec["quantizer"]["levels"] = [8, 6, 5]'
config levels-1000 recipes/image-codec-fashion.json 'codec["quantizer"]["levels"] = [8, 5, 5, 5]'
config levels-4375 recipes/image-codec-fashion.json 'codec["quantizer"]["levels"] = [7, 5, 5, 5, 5]'
# The grid points keep the emoji recipe's network but quantize with FSQ [8,5,5,5] and train
# on unmirrored images, as when they were first measured.
fsq='codec["quantizer"] = {"type": "fsq", "levels": [8, 5, 5, 5]}; recipe["data"]["flip"] = False; recipe.pop("codebook")'
config grid-256 recipes/image-codec-emoji.json "$fsq; codec['encoder']['downsamples'] = 2"
config grid-64 recipes/image-codec-emoji.json "$fsq"
config grid-16 recipes/image-codec-emoji.json "$fsq; codec['encoder']['downsamples'] = 4; codec['encoder']['widths'] = codec['encoder']['widths'] + [128]"

for point in levels-240:fashion_mnist levels-1000:fashion_mnist levels-4375:fashion_mnist \
             grid-256:openmoji grid-64:openmoji grid-16:openmoji; do
  while (($(jobs -rp | wc -l) >= jobs)); do wait -n; done
  run "${point%%:*}" "${point##*:}" &
done
wait

psnr() { sed -n 's/^PSNR: \([0-9.]*\) dB/\1/p' "$out/$1.eval"; }
{ echo "series,x,y"; for n in 240 1000 4375; do echo "Fashion-MNIST 49 codes,$n,$(psnr levels-$n)"; done; } > "$out/codebook.csv"
{ echo "series,x,y"; for n in 16 64 256; do echo "OpenMoji FSQ 1000,$n,$(psnr grid-$n)"; done; } > "$out/grid.csv"
"$tessera" plot --csv "$out/codebook.csv" --out "$out/psnr-vs-codebook.png" --title "held-out PSNR against codebook size" \
  --x-label "codebook size (FSQ levels product)" --y-label "PSNR (dB)"
"$tessera" plot --csv "$out/grid.csv" --out "$out/psnr-vs-codes.png" --title "held-out PSNR against codes per image" \
  --x-label "codes per image" --y-label "PSNR (dB)"
echo "wrote $out/codebook.csv, $out/grid.csv and their PNGs"
