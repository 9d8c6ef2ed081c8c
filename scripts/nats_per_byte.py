#!/usr/bin/python3
"""The loss of a model on plain text in nats per UTF-8 byte, so that models whose text
codecs cut the same text into different tokens compare on equal terms:

    scripts/nats_per_byte.py MODEL data/text/wordnet/valid.txt --lines 200 [--tessera build/tessera]

Each of the first --lines non-empty lines goes through `tessera score MODEL --prompt LINE`
(the model sees <bos> and the line's tokens); the result is the sum over lines of minus
the log-probability of every token after <bos>, over the sum of the lines' bytes. Prints
one JSON object: model, lines, bytes, tokens, nats_per_byte, nats_per_token.
Standard library only.
"""
import argparse
import json
import subprocess
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="a model folder")
    parser.add_argument("text", help="a text file, one sample per line")
    parser.add_argument("--lines", type=int, default=200, help="how many non-empty lines (default 200)")
    parser.add_argument("--tessera", default="build/tessera", help="the binary (default build/tessera)")
    args = parser.parse_args()

    with open(args.text, encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()][: args.lines]
    if not lines:
        sys.exit(f"{args.text}: no non-empty lines")
    nats = 0.0
    tokens = 0
    size = 0
    for line in lines:
        run = subprocess.run([args.tessera, "score", args.model, "--prompt", line], capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"tessera score failed on {line!r}: {run.stderr.strip()}")
        scored = json.loads(run.stdout)
        nats -= scored["sum_logprob"]
        tokens += scored["scored"]
        size += len(line.encode("utf-8"))
    print(json.dumps({"model": args.model, "lines": len(lines), "bytes": size, "tokens": tokens,
                      "nats_per_byte": nats / size, "nats_per_token": nats / tokens}))


if __name__ == "__main__":
    main()
