#!/usr/bin/env bash
# Trains the evaluation's two judges, each once, stored beside its data so every evaluation
# compares with every other (`tessera eval` finds them there):
#   data/image/fashion_mnist/judge/judge.safetensors   a CNN classifier of real Fashion-MNIST
#   data/audio/speech/judge/judge.safetensors          a CTC recognizer of real espeak-ng speech
# A judge whose file exists is kept; a stopped run resumes.
#
#   scripts/data/judges.sh [IMAGE_JUDGE_DIR] [SPEECH_JUDGE_DIR]
#
# JUDGE_MINUTES overrides both training budgets (the demo's quick check trains throwaway
# judges in seconds, into its own folders); TESSERA_THREADS sets the threads (2 by default).
set -euo pipefail
cd "$(dirname "$0")/../.."
image_dir=${1:-data/image/fashion_mnist/judge}
speech_dir=${2:-data/audio/speech/judge}
tessera=${TESSERA:-build/tessera}
threads=${TESSERA_THREADS:-2}
budget=()
[ -n "${JUDGE_MINUTES:-}" ] && budget=(--set optimization.minutes="$JUDGE_MINUTES")

judge() {
  local recipe=$1 out=$2
  [ -f "$out/judge.safetensors" ] && return 0
  local resume=()
  [ -d "$out/checkpoint" ] && resume=(--resume)
  "$tessera" --threads "$threads" train --config "$recipe" --out "$out" "${resume[@]}" "${budget[@]}"
}

echo "== image judge"
judge recipes/judge-fashion.json "$image_dir"
echo "== speech judge"
judge recipes/judge-speech.json "$speech_dir"
