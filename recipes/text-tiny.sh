#!/usr/bin/env bash
# text-tiny: a 5M-parameter text model trained on WordNet's glosses, end to end, in about
# seven minutes on 2 CPU cores: corpus -> text codec -> shards -> training -> samples.
# Steps whose output exists are skipped, and an interrupted training run resumes, so running
# it again continues where it stopped.
#
# Usage: recipes/text-tiny.sh [RUN_DIR]   (default runs/text-tiny; needs a build in build/)
set -euo pipefail
cd "$(dirname "$0")/.."
tessera=${TESSERA:-build/tessera}
data=data/text/wordnet
run=${1:-runs/text-tiny}

[[ -f $data/valid.txt ]] || /usr/bin/python3 scripts/data/wordnet_glosses.py --out "$data"
[[ -f $data/text.model ]] || "$tessera" codec train text --corpus "$data/train.txt" --out "$data/text.model" --vocab-size 4096
[[ -f $data/train.shard ]] || "$tessera" data text --codec "$data/text.model" --input "$data/train.txt" --out "$data/train.shard"
[[ -f $data/valid.shard ]] || "$tessera" data text --codec "$data/text.model" --input "$data/valid.txt" --out "$data/valid.shard"

resume=()
[[ -d $run/checkpoint ]] && resume=(--resume)
"$tessera" train --config recipes/text-tiny.json --out "$run" "${resume[@]}"

echo
echo "samples (temperature 0.8, top-p 0.95, the model's own words after each prompt):"
for prompt in "dog (noun):" "happy (adjective):" "carry (verb):" "volcano (noun):" "quickly (adverb):"; do
  printf -- '- %s' "$prompt"
  "$tessera" generate "$run" --prompt "$prompt" --max-tokens 60 --temperature 0.8 --top-p 0.95 --seed 7 2>/dev/null
  echo
done
echo
echo "model: $run (tessera info $run), log: $run/log.jsonl, loss curve: $run/loss.png"
