#!/usr/bin/python3
"""Turns WordNet's synsets into a text corpus, one line per synset:

    dog (noun): a member of the genus Canis ...; "the dog barked all night"

The lemma is the synset's first word (underscores as spaces, adjective markers such as
"(p)" dropped), then its part of speech, then the gloss with its example sentences.

Split: a line goes to valid.txt when int(sha256(SEED + line), 16) % 10000 < 200 (about 2%
held out), else to train.txt. The rule depends only on the line, so the split is stable
when WordNet or this script's order changes. SEED = "tessera-wordnet-v1".

Reads data.noun, data.verb, data.adj and data.adv from Debian's wordnet-base
(/usr/share/wordnet). Standard library only.
"""
import argparse
import hashlib
import os
import re
import sys
import tempfile

SEED = "tessera-wordnet-v1"
HELD_OUT_PER_10000 = 200
WORDNET_DIR = "/usr/share/wordnet"
FILES = ["data.noun", "data.verb", "data.adj", "data.adv"]
PART_OF_SPEECH = {"n": "noun", "v": "verb", "a": "adjective", "s": "adjective", "r": "adverb"}
ADJECTIVE_MARKER = re.compile(r"\((a|p|ip)\)$")


def synset_line(raw, path, number):
    """One data-file line -> "lemma (pos): gloss"; the format is WordNet's wndb(5)."""
    head, bar, gloss = raw.partition(" | ")
    fields = head.split()
    if not bar or len(fields) < 5:
        sys.exit(f"{path}:{number}: expected 'offset lex_filenum ss_type w_cnt word ... | gloss', found {raw[:80]!r}")
    pos = PART_OF_SPEECH.get(fields[2])
    if pos is None:
        sys.exit(f"{path}:{number}: field 'ss_type': expected one of n v a s r, found {fields[2]!r}")
    lemma = ADJECTIVE_MARKER.sub("", fields[4]).replace("_", " ")
    return f"{lemma} ({pos}): {gloss.strip()}"


def read_synsets(wordnet_dir):
    lines = []
    for name in FILES:
        path = os.path.join(wordnet_dir, name)
        if not os.path.exists(path):
            sys.exit(f"{path}: not found; WordNet comes from Debian's wordnet-base: run scripts/install-deps.sh")
        with open(path, encoding="utf-8") as f:
            for number, raw in enumerate(f, 1):
                if raw.startswith("  "):  # the license header
                    continue
                lines.append(synset_line(raw.rstrip("\n"), path, number))
    return lines


def held_out(line):
    digest = hashlib.sha256((SEED + line).encode("utf-8")).hexdigest()
    return int(digest, 16) % 10000 < HELD_OUT_PER_10000


def write_atomically(path, lines):
    directory = os.path.dirname(path) or "."
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 would hide the corpus from other users
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.writelines(line + "\n" for line in lines)
    os.replace(temp, path)


def main():
    parser = argparse.ArgumentParser(
        description="Write WordNet's glosses as a text corpus (train.txt, valid.txt), one synset per line.",
        epilog=f"Split rule: a line is held out for valid.txt when int(sha256('{SEED}' + line), 16) "
        f"% 10000 < {HELD_OUT_PER_10000} (about 2%); the output is deterministic.")
    parser.add_argument("--out", default="data/text/wordnet", help="output directory (default: %(default)s)")
    parser.add_argument("--wordnet-dir", default=WORDNET_DIR,
                        help="where WordNet's data.* files are (default: %(default)s, Debian's wordnet-base)")
    args = parser.parse_args()

    lines = read_synsets(args.wordnet_dir)
    train = [line for line in lines if not held_out(line)]
    valid = [line for line in lines if held_out(line)]
    os.makedirs(args.out, exist_ok=True)
    write_atomically(os.path.join(args.out, "train.txt"), train)
    write_atomically(os.path.join(args.out, "valid.txt"), valid)
    size = sum(len(line.encode("utf-8")) + 1 for line in lines)
    print(f"{len(lines)} synsets ({size / 1e6:.1f} MB): {len(train)} lines in {args.out}/train.txt, "
          f"{len(valid)} in {args.out}/valid.txt")


if __name__ == "__main__":
    main()
