#!/usr/bin/env bash
# Data-parallel scaling of the text model (recipes/text-tiny.json, whose data
# recipes/text-tiny.sh builds): tokens/s and the share of each step spent in collectives,
# for one process on every core and for 2, 4, ... ranks under mpirun sharing the cores, at
# the recipe's batch (so every run takes the same steps on the same rows).
#
#   bench/data_parallel.sh [STEPS] [MAX_RANKS]      (default 60 steps, ranks up to the cores)
#
# Prints one row per run: ranks, threads per rank, tokens/s over the steps after the first
# ten, the communication share, and the speed-up over one process.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-60}
cores=$(nproc)
max_ranks=${2:-$cores}
tessera=${TESSERA:-build/tessera}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
root=()
[ "$(id -u)" -eq 0 ] && root=(--allow-run-as-root)

echo "CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cores cores"
summary() {  # LOG -> "tokens/s communication%"
  /usr/bin/python3 - "$1" <<'PY'
import json, sys
steps = [r for r in map(json.loads, open(sys.argv[1])) if r.get("type") == "step" and r["step"] > 10]
tokens = sum(r["tokens_per_s"] for r in steps) / len(steps)
comm = sum(r.get("communication", 0) for r in steps) / len(steps)
print(f"{tokens:.0f} {comm:.1f}")
PY
}
common=(--config recipes/text-tiny.json --set optimization.steps="$steps" --set optimization.warmup=10 --set log.every=1
        --set eval.every=0 --set checkpoint.every=0 --set eval.batches=1)
"$tessera" --threads "$cores" train "${common[@]}" --out "$out/1" > /dev/null
read -r base comm < <(summary "$out/1/log.jsonl")
printf "%5s %8s %10s %14s %8s\n" ranks threads tokens/s communication speed-up
printf "%5d %8d %10.0f %13.1f%% %7.2fx\n" 1 "$cores" "$base" "$comm" 1
for ((ranks = 2; ranks <= max_ranks; ranks *= 2)); do
  threads=$((cores / ranks > 0 ? cores / ranks : 1))
  mpirun "${root[@]}" --oversubscribe --bind-to none -np "$ranks" -x TESSERA_THREADS="$threads" \
    "$tessera" train "${common[@]}" --out "$out/$ranks" > /dev/null
  read -r tokens comm < <(summary "$out/$ranks/log.jsonl")
  printf "%5d %8d %10.0f %13.1f%% %7.2fx\n" "$ranks" "$threads" "$tokens" "$comm" \
    "$(/usr/bin/python3 -c "print($tokens / $base)")"
done
