#!/usr/bin/python3
"""Turns fields of a training run's log.jsonl into the CSV `tessera plot` draws:

    scripts/log_curves.py RUN/log.jsonl --type eval --fields valid_text valid_image valid_audio > curves.csv
    build/tessera plot --csv curves.csv --out curves.png --x-label step --y-label loss

Each field becomes a series (its name with '_' as ' '), x the record's step. --type picks the
records: "step" (training, one per logged step) or "eval" (held-out). A field missing from
every record is an error naming it; a record without it is skipped. Standard library only.
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("log", help="a run's log.jsonl")
    parser.add_argument("--type", choices=["step", "eval"], default="eval", help="which records (default eval)")
    parser.add_argument("--fields", nargs="+", required=True, help="the record fields to draw, one series each")
    args = parser.parse_args()

    with open(args.log, encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    records = [r for r in records if r.get("type") == args.type]
    print("series,x,y")
    for field in args.fields:
        points = [(r["step"], r[field]) for r in records if field in r]
        if not points:
            sys.exit(f"{args.log}: no {args.type} record has the field '{field}'")
        for step, value in points:
            print(f"{field.replace('_', ' ')},{step},{value}")


if __name__ == "__main__":
    main()
