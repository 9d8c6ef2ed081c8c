#!/usr/bin/env bash
# mm-tiny: one transformer over text, images and speech, end to end on 2 CPU cores: the data
# sets, a text codec, an image codec and an audio codec (short budgets), the mixed-modal
# corpus, and the transformer trained on it from its first step (recipes/mm-tiny.json).
# Each stage is skipped when its output exists and an interrupted training run resumes, so
# running the script again continues where it stopped.
#
#   recipes/mm-tiny.sh [RUN_DIR]       (default runs/mm-tiny)
#
# Stages and budgets (minutes of training each; TESSERA_THREADS sets the threads, 2 by default):
#   text codec     SentencePiece BPE, 2048 pieces, on every text the corpus holds    (seconds)
#   image codec    recipes/image-codec-fashion.json, 28 x 28 grey -> 49 codes          5
#   audio codec    recipes/audio-codec-speech.json, 50 codes per second               5
#   corpus         tessera data build recipes/mm-tiny-data.json                       (1-2)
#   transformer    recipes/mm-tiny.json                                               14
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/mm-tiny}
tessera=${TESSERA:-build/tessera}
threads=${TESSERA_THREADS:-2}
codec_minutes=${MM_CODEC_MINUTES:-5}

[ -x "$tessera" ] || scripts/build.sh build
[ -f data/image/fashion_mnist/valid.json ] || /usr/bin/python3 scripts/data/fashion_mnist.py
[ -f data/image/openmoji/valid.json ] || scripts/data/openmoji.sh
[ -f data/audio/speech/speech.json ] || /usr/bin/python3 scripts/data/speech.py --out data/audio/speech
[ -f data/text/wordnet/valid.txt ] || /usr/bin/python3 scripts/data/wordnet_glosses.py --out data/text/wordnet
mkdir -p "$run"

# Trains RECIPE into OUT unless OUT already holds ARTIFACT; resumes a stopped run.
train() {
  local recipe=$1 out=$2 artifact=$3
  shift 3
  [ -f "$out/$artifact" ] && return 0
  local resume=()
  [ -d "$out/checkpoint" ] && resume=(--resume)
  "$tessera" --threads "$threads" train --config "$recipe" --out "$out" "${resume[@]}" "$@"
}

if [ ! -f "$run/text.model" ]; then
  echo "== text codec"
  cat data/image/fashion_mnist/train.captions.txt data/image/openmoji/train.captions.txt \
    data/text/wordnet/train.txt > "$run/text-corpus.txt"
  "$tessera" codec train text --corpus "$run/text-corpus.txt" --vocab-size 2048 --out "$run/text.model"
fi

echo "== image codec ($codec_minutes minutes)"
train recipes/image-codec-fashion.json "$run/image-codec" image.safetensors \
  --set optimization.minutes="$codec_minutes" --set eval.images=500
echo "== audio codec ($codec_minutes minutes)"
train recipes/audio-codec-speech.json "$run/audio-codec" audio.safetensors \
  --set optimization.minutes="$codec_minutes" --set eval.clips=50

if [ ! -f "$run/data/train.shard" ]; then
  echo "== corpus"
  "$tessera" --threads "$threads" data build recipes/mm-tiny-data.json --out "$run/data" \
    --set codecs.text="$run/text.model" --set codecs.image="$run/image-codec/image.safetensors" \
    --set codecs.audio="$run/audio-codec/audio.safetensors"
fi

echo "== transformer"
train recipes/mm-tiny.json "$run/model" model.safetensors \
  --set codecs.text="$run/text.model" --set codecs.image="$run/image-codec/image.safetensors" \
  --set codecs.audio="$run/audio-codec/audio.safetensors" \
  --set data.train="$run/data/train.shard" --set data.valid="$run/data/valid.shard"

if [ ! -f "$run/model/modality_losses.png" ]; then
  /usr/bin/python3 scripts/log_curves.py "$run/model/log.jsonl" --type eval \
    --fields valid_loss valid_text valid_image valid_audio > "$run/model/modality_losses.csv"
  "$tessera" plot --csv "$run/model/modality_losses.csv" --out "$run/model/modality_losses.png" \
    --title "mm-tiny: held-out loss per modality" --x-label step --y-label "cross-entropy (nats)"
fi

cat <<EOF

mm-tiny is in $run/model. Try:
  $tessera generate $run/model --prompt "ankle boot" --output image --guidance 3 --out $run/boot
  $tessera generate $run/model --image $run/boot.png --output text
  $tessera generate $run/model --prompt "ankle boot" --output audio --out $run/boot
EOF
