#!/usr/bin/env bash
# The speech audio codec end to end: the data (once: the two image sets whose captions are
# spoken, then the espeak-ng speech set), the training run of audio-codec-speech.json (at
# most 18 minutes of training on 2 threads, after about a minute of log-mels), then the
# held-out measurement on the test split with a spectrogram picture and the reconstructed
# WAVs of the first clips.
#
#   recipes/audio-codec-speech.sh [OUT_DIR]      (default runs/audio-codec-speech)
#
# Extra options for `tessera train` can follow in TESSERA_TRAIN_ARGS, e.g.
# TESSERA_TRAIN_ARGS="--set optimization.steps=20" for a smoke run; TESSERA_THREADS sets the
# threads (2). A run stopped before its end (Ctrl-C) continues when the script runs again.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-runs/audio-codec-speech}
data=data/audio/speech
tessera=${TESSERA:-build/tessera}
threads=${TESSERA_THREADS:-2}

[ -x "$tessera" ] || scripts/build.sh build
if [ ! -f "$data/speech.json" ]; then
  # The speech's texts are the image sets' captions.
  [ -f data/image/fashion_mnist/valid.json ] || /usr/bin/python3 scripts/data/fashion_mnist.py
  [ -f data/image/openmoji/valid.json ] || scripts/data/openmoji.sh
  python3 scripts/data/speech.py --out "$data"
fi
mkdir -p "$out"
resume=()
[ -d "$out/checkpoint" ] && resume=(--resume)
# shellcheck disable=SC2086  # the extra options are meant to split into words
"$tessera" --threads "$threads" train --config recipes/audio-codec-speech.json --out "$out" "${resume[@]}" \
  ${TESSERA_TRAIN_ARGS:-} 2>&1 | tee "$out/train.log"
"$tessera" --threads "$threads" codec eval audio --codec "$out/audio.safetensors" --data "$data" --split test \
  --clips 0 --png "$out/spectrograms.png" --wav-dir "$out/wav" --wav-clips 8 | tee "$out/eval.txt"
"$tessera" info "$out/audio.safetensors" | tee "$out/info.txt"
