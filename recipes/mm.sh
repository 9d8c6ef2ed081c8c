#!/usr/bin/env bash
# The mixed-modal model, end to end on 2 CPU cores: the data sets, a text codec, an image codec
# and an audio codec (short budgets), the mixed-modal corpus, and one transformer trained on it
# from its first step. Each stage is skipped when its output exists and an interrupted training
# run resumes, so running the script again continues where it stopped.
#
#   recipes/mm.sh tiny  [RUN_DIR]      (default runs/mm-tiny)    at most 30 minutes
#   recipes/mm.sh small [RUN_DIR]      (default runs/mm-small)   at most 90 minutes
#
# Stages and budgets (minutes of training each; TESSERA_THREADS sets the threads, 2 by default;
# MM_IMAGE_MINUTES, MM_AUDIO_MINUTES and MM_MODEL_MINUTES override the image codec's, the
# audio codec's and the transformer's, MM_CODEC_MINUTES both codecs'):
#                  tiny                                    small
#   text codec     SentencePiece BPE, 2048 pieces          (seconds, both)
#   image codec    image-codec-fashion.json, 28 x 28       image-codec-mixed.json, Fashion-MNIST and
#                  grey -> 49 codes, 5                     OpenMoji at 32 x 32 colour -> 64 codes, 15
#   audio codec    audio-codec-speech.json, 50 codes/s, 5  the same, 12
#   corpus         mm-tiny-data.json (1-2)                 mm-small-data.json (3-4)
#   transformer    mm-tiny.json: 6M parameters, 14         mm-small.json: 11M parameters, 55
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-}
case "$size" in
  tiny) image_recipe=image-codec-fashion image_minutes=5 audio_minutes=5 ;;
  small) image_recipe=image-codec-mixed image_minutes=15 audio_minutes=12 ;;
  *) echo "usage: recipes/mm.sh tiny|small [RUN_DIR]" >&2; exit 2 ;;
esac
run=${2:-runs/mm-$size}
tessera=${TESSERA:-build/tessera}
threads=${TESSERA_THREADS:-2}
image_minutes=${MM_IMAGE_MINUTES:-${MM_CODEC_MINUTES:-$image_minutes}}
audio_minutes=${MM_AUDIO_MINUTES:-${MM_CODEC_MINUTES:-$audio_minutes}}
model_minutes=${MM_MODEL_MINUTES:-}

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

echo "== image codec ($image_minutes minutes)"
train "recipes/$image_recipe.json" "$run/image-codec" image.safetensors \
  --set optimization.minutes="$image_minutes" --set eval.images=500
echo "== audio codec ($audio_minutes minutes)"
train recipes/audio-codec-speech.json "$run/audio-codec" audio.safetensors \
  --set optimization.minutes="$audio_minutes" --set eval.clips=50

if [ ! -f "$run/data/train.shard" ]; then
  echo "== corpus"
  "$tessera" --threads "$threads" data build "recipes/mm-$size-data.json" --out "$run/data" \
    --set codecs.text="$run/text.model" --set codecs.image="$run/image-codec/image.safetensors" \
    --set codecs.audio="$run/audio-codec/audio.safetensors"
fi

echo "== transformer"
model_budget=()
[ -n "$model_minutes" ] && model_budget=(--set optimization.minutes="$model_minutes")
train "recipes/mm-$size.json" "$run/model" model.safetensors "${model_budget[@]}" \
  --set codecs.text="$run/text.model" --set codecs.image="$run/image-codec/image.safetensors" \
  --set codecs.audio="$run/audio-codec/audio.safetensors" \
  --set data.train="$run/data/train.shard" --set data.valid="$run/data/valid.shard"

if [ ! -f "$run/model/modality_losses.png" ]; then
  /usr/bin/python3 scripts/log_curves.py "$run/model/log.jsonl" --type eval \
    --fields valid_loss valid_text valid_image valid_audio > "$run/model/modality_losses.csv"
  "$tessera" plot --csv "$run/model/modality_losses.csv" --out "$run/model/modality_losses.png" \
    --title "mm-$size: held-out loss per modality" --x-label step --y-label "cross-entropy (nats)"
fi

cat <<EOF

mm-$size is in $run/model. Try:
  $tessera generate $run/model --prompt "ankle boot" --output image --guidance 3 --out $run/boot
  $tessera generate $run/model --image $run/boot.png --output text
  $tessera generate $run/model --prompt "ankle boot" --output audio --out $run/boot
EOF
