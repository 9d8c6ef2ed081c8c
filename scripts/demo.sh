#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine to a trained any-to-any model and its report:
# installs packages, builds, checks the engine, builds the data sets, trains mm-tiny (a text
# codec, an image codec, an audio codec, the mixed corpus and one transformer over all of
# it), trains the evaluation's judges (once, stored beside the data), evaluates the model
# (`tessera eval`: metrics.json and a self-contained report.html) and prints where the report
# is and three commands to try. About 38 minutes on 2 cores (the target is 30). Each stage is
# skipped when its output exists and a stopped training resumes, so running it again after
# Ctrl-C continues.
#
#   scripts/demo.sh           into runs/demo
#   scripts/demo.sh --quick   into runs/demo-quick: seconds-long training and a quick
#                             evaluation with throwaway judges; the whole path in a few
#                             minutes, an end-to-end check (the test script runs it)
#
# Budgets (minutes of training; the rest is installing, building, data, evaluation):
#                 full   quick
#   image codec   3      0.3
#   audio codec   3      0.3
#   transformer   8      1
#   image judge   2      0.3   (recipes/judge-fashion.json; trained once, kept beside the data)
#   speech judge  3.5    0.3   (recipes/judge-speech.json; likewise)
set -euo pipefail
cd "$(dirname "$0")/.."
mode=full
case "${1:-}" in
  "") ;;
  --quick) mode=quick ;;
  *) echo "usage: scripts/demo.sh [--quick]" >&2; exit 2 ;;
esac
start=$SECONDS

if [ $mode = quick ]; then
  run=runs/demo-quick
  export MM_IMAGE_MINUTES=0.3 MM_AUDIO_MINUTES=0.3 MM_MODEL_MINUTES=1
  judges=("$run/judges/image" "$run/judges/speech")
  eval_args=(--quick --image-judge "$run/judges/image/judge.safetensors"
             --speech-judge "$run/judges/speech/judge.safetensors")
  judge_minutes=0.3
else
  run=runs/demo
  export MM_IMAGE_MINUTES=3 MM_AUDIO_MINUTES=3 MM_MODEL_MINUTES=8
  judges=()
  eval_args=()
  judge_minutes=
fi

echo "== packages"
scripts/install-deps.sh
echo "== build"
TESSERA_TARGETS=tessera scripts/build.sh build
build/tessera --version
echo "== selfcheck"
build/tessera selfcheck
recipes/mm.sh tiny "$run"
JUDGE_MINUTES=$judge_minutes scripts/data/judges.sh "${judges[@]}"
if [ ! -f "$run/eval/report.html" ]; then
  echo "== evaluation"
  build/tessera eval "$run/model" --out "$run/eval" "${eval_args[@]}"
fi

minutes=$(( (SECONDS - start) / 60 ))
cat <<EOM

Done in ${minutes} min. The report: $run/eval/report.html (every number: $run/eval/metrics.json)
Try:
  build/tessera generate $run/model --prompt "ankle boot" --output image --guidance 3 --out boot  # draw boot.png
  build/tessera generate $run/model --image boot.png --temperature 0                            # caption it
  build/tessera generate $run/model --prompt "sandal" --output audio --out sandal               # speak sandal.wav
EOM
