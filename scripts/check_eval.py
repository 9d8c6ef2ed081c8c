#!/usr/bin/python3
"""Checks a `tessera eval` output folder (the quick demo's, in the test script): every task
ran (none skipped), every number in metrics.json is finite and within wide sanity bounds, and
report.html names every task. Exits non-zero with one line per problem.

    scripts/check_eval.py runs/demo-quick/eval
"""
import json
import math
import sys
from pathlib import Path

TASKS = ["perplexity", "image_to_text", "text_to_image", "speech_to_text", "text_to_speech", "speed"]
HEADINGS = ["Held-out perplexity", "Image -&gt; text", "Text -&gt; image", "Speech -&gt; text",
            "Text -&gt; speech", "Speed", "Model card", "Summary"]
# (path, low, high): wide bounds a working pipeline cannot miss, a broken one can.
BOUNDS = [
    ("perplexity/all/perplexity", 1.0, 1e5),
    ("image_to_text/fashion/greedy_accuracy", 0.0, 1.0),
    ("image_to_text/fashion/ranked_accuracy", 0.0, 1.0),
    ("image_to_text/emoji/top1", 0.0, 1.0),
    ("image_to_text/emoji/top5", 0.0, 1.0),
    ("text_to_image/headline/judge_accuracy", 0.0, 1.0),
    ("text_to_image/headline/frechet", 0.0, 1e6),
    ("text_to_image/codec_ceiling/judge_accuracy", 0.0, 1.0),
    ("text_to_image/real/judge_accuracy", 0.0, 1.0),
    ("speech_to_text/cer", 0.0, 10.0),
    ("speech_to_text/wer", 0.0, 10.0),
    ("text_to_speech/judge_cer_generated", 0.0, 10.0),
    ("text_to_speech/judge_cer_real", 0.0, 10.0),
    ("text_to_speech/judge_on_codec/cer", 0.0, 10.0),
    ("text_to_speech/model_on_generated/cer", 0.0, 10.0),
]


def numbers(node, path=""):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from numbers(value, f"{path}/{key}" if path else key)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from numbers(value, f"{path}/{i}")
    elif isinstance(node, (int, float)) and not isinstance(node, bool):
        yield path, node


def lookup(metrics, path):
    node = metrics
    for key in path.split("/"):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    problems = []
    metrics = json.loads((out / "metrics.json").read_text())
    report = (out / "report.html").read_text()
    for task in TASKS:
        if task not in metrics:
            problems.append(f"metrics.json: no '{task}'")
    for task, reason in metrics.get("skipped", {}).items():
        problems.append(f"metrics.json: '{task}' was skipped: {reason}")
    for path, value in numbers(metrics):
        if not math.isfinite(value):
            problems.append(f"metrics.json: {path} is {value}")
    for path, low, high in BOUNDS:
        value = lookup(metrics, path)
        if not isinstance(value, (int, float)):
            problems.append(f"metrics.json: {path} is missing")
        elif not low <= value <= high:
            problems.append(f"metrics.json: {path} = {value}, outside [{low}, {high}]")
    for task, runs in metrics.get("speed", {}).items():
        for r in runs:
            if not r.get("tokens_per_second", 0) > 0 or not r.get("time_to_first_token", -1) > 0:
                problems.append(f"metrics.json: speed/{task} at batch {r.get('batch')} has no throughput or latency")
    for heading in HEADINGS:
        if heading not in report:
            problems.append(f"report.html: no section '{heading}'")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{out}: every task measured, {sum(1 for _ in numbers(metrics))} numbers finite and in bounds")


if __name__ == "__main__":
    main()
