#!/usr/bin/python3
"""Makes a speech set for the audio codec: the captions of the project's image sets spoken
by espeak-ng in many English voices, written as src/data/speech_set.h reads it:

    <out>/speech.json     {"format": "tessera-speech-set", "version": 1, "sample_rate": 22050,
                           "splits": {"train": N, "valid": N, "test": N},
                           "held_out_voices": [...], "seed": S}
    <out>/<split>.jsonl   one clip per line: {"audio": "wav/<name>.wav", "text": ...,
                           "voice": "en-us+m3", "speed": 160, "pitch": 50}
    <out>/wav/*.wav       espeak-ng's own output: mono 16-bit PCM at 22050 Hz

Texts: the unique captions of data/image/fashion_mnist/*.captions.txt and
data/image/openmoji/*.captions.txt, each cut to its first 12 words.

Voices: a language (en-us, en-gb, ...) + a variant (m1..m8, f1..f5, klatt.., croak), with
a speed of 130-200 words per minute and a pitch of 30-70, drawn per clip by a generator
seeded with (seed, text, clip number). HELD_OUT_VOICES below never speak a training clip;
the valid and test clips are spoken only by them, so both measure voices the codec never
heard.

Splits: by sha256(seed, key) % 100 of each text's key: 0..4 valid, 5..11 test, else train.
The key is the caption's part before its first ':' (an emoji's name), so the skin-tone
variants of one emoji ("raised hand: light skin tone", ...) share a split, and so does
every clip of a text. Train keeps at most --max-train clips, in the order of the texts'
hashes.

The WAVs stay at espeak-ng's 22050 Hz: the engine's reader resamples to 16 kHz as it
loads (about 5 ms per second of audio), while converting here would need a resampler
beyond the standard library (audioop's has no anti-aliasing filter).

Idempotent: a clip's file name is a hash of its text, number, voice, speed and pitch,
and each WAV appears whole (temporary name, then a rename), so a second run only writes
the manifests again. Standard library only.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import random
import subprocess
import sys
import time
import wave

import image_set

FORMAT = "tessera-speech-set"
VERSION = 1
MAX_WORDS = 12
VALID_BUCKETS, TEST_BUCKETS = range(0, 5), range(5, 12)
SPEEDS, PITCHES = (130, 200), (30, 70)
LANGUAGES = ["en-us", "en-gb", "en-gb-scotland", "en-gb-x-rp", "en-029", "en-gb-x-gbclan", "en-gb-x-gbcwmd",
             "en-us-nyc"]
VARIANTS = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "f1", "f2", "f3", "f4", "f5", "klatt", "klatt2",
            "klatt3", "klatt4", "croak"]
# Ten of the 144 language + variant pairs: every language and most variant families still
# train, in other pairs; whisper-free, so every held-out clip has a pitch track.
HELD_OUT_VOICES = ["en-us+m4", "en-us+f2", "en-gb+f3", "en-gb+m6", "en-gb-scotland+m7", "en-gb-x-rp+f5",
                   "en-029+klatt3", "en-gb-x-gbclan+m2", "en-gb-x-gbcwmd+f1", "en-us-nyc+croak"]
TRAIN_VOICES = [f"{l}+{v}" for l in LANGUAGES for v in VARIANTS if f"{l}+{v}" not in HELD_OUT_VOICES]


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def check_espeak():
    """espeak-ng accepts an unknown variant silently (and speaks the default), so every
    language and variant is checked against its own lists first."""
    try:
        languages = subprocess.run(["espeak-ng", "--voices=en"], capture_output=True, text=True, check=True).stdout
        variants = subprocess.run(["espeak-ng", "--voices=variant"], capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        sys.exit("speech.py: espeak-ng not found: run scripts/install-deps.sh")
    known_languages = {line.split()[1] for line in languages.splitlines()[1:] if len(line.split()) > 1}
    known_variants = {line.split()[4].split("/")[-1] for line in variants.splitlines()[1:] if len(line.split()) > 4}
    missing = [l for l in LANGUAGES if l not in known_languages] + [v for v in VARIANTS if v not in known_variants]
    if missing:
        sys.exit(f"speech.py: this espeak-ng lacks the voices {missing}")


def read_texts(fashion_dir, openmoji_dir):
    """The unique captions of both image sets, each cut to MAX_WORDS words, sorted."""
    files = []
    for directory, how in ((fashion_dir, "/usr/bin/python3 scripts/data/fashion_mnist.py"),
                           (openmoji_dir, "scripts/data/openmoji.sh")):
        found = [os.path.join(directory, f"{split}.captions.txt") for split in ("train", "valid", "test")]
        found = [path for path in found if os.path.exists(path)]
        if not found:
            print(f"warning: no captions in {directory} (make them with {how}); going on without them",
                  file=sys.stderr)
        files += found
    if not files:
        sys.exit("speech.py: no caption files at all: make the image sets first")
    texts = set()
    for path in files:
        with open(path, encoding="utf-8") as f:
            for line in f:
                words = line.split()[:MAX_WORDS]
                text = " ".join(words).rstrip(",;:")
                if text:
                    texts.add(text)
    return sorted(texts)


def split_of(text, seed):
    bucket = int(sha(f"{seed}:{text.split(':')[0].strip().lower()}"), 16) % 100
    return "valid" if bucket in VALID_BUCKETS else "test" if bucket in TEST_BUCKETS else "train"


def plan_clip(text, split, number, seed):
    rng = random.Random(sha(f"{seed}:{number}:{text}"))
    voice = rng.choice(TRAIN_VOICES if split == "train" else HELD_OUT_VOICES)
    speed, pitch = rng.randint(*SPEEDS), rng.randint(*PITCHES)
    name = sha(f"{text}|{number}|{voice}|{speed}|{pitch}")[:20]
    return {"audio": f"wav/{name}.wav", "text": text, "voice": voice, "speed": speed, "pitch": pitch}


def plan(texts, seed, clips_per_text, max_train):
    splits = {"train": [], "valid": [], "test": []}
    for text in sorted(texts, key=lambda t: sha(f"{seed}:order:{t}")):
        split = split_of(text, seed)
        for number in range(clips_per_text):
            if split != "train" or len(splits["train"]) < max_train:
                splits[split].append(plan_clip(text, split, number, seed))
    return splits


def synthesize(out, clip):
    """Speaks one clip unless its WAV exists; returns 1 when it spoke."""
    path = os.path.join(out, clip["audio"])
    if os.path.exists(path):
        return 0
    temp = f"{path}.tmp.{os.getpid()}"
    command = ["espeak-ng", "-b", "1", "--stdin", "-w", temp, "-v", clip["voice"], "-s", str(clip["speed"]), "-p",
               str(clip["pitch"])]
    result = subprocess.run(command, input=clip["text"].encode(), capture_output=True)
    if result.returncode != 0:
        if os.path.exists(temp):
            os.unlink(temp)
        raise RuntimeError(f"espeak-ng failed on {clip}: {result.stderr.decode(errors='replace').strip()}")
    os.replace(temp, path)
    return 1


def duration(path):
    with wave.open(path) as w:
        return w.getnframes(), w.getframerate()


def main():
    parser = argparse.ArgumentParser(
        description="Speak the image sets' captions with espeak-ng into a Tessera speech set "
        "(speech.json, {train,valid,test}.jsonl, wav/).",
        epilog=f"Held-out voices (valid and test only): {', '.join(HELD_OUT_VOICES)}.")
    parser.add_argument("--out", default="data/audio/speech", help="output directory (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seeds the splits, the order and each clip's voice, speed and pitch "
                        "(default: %(default)s)")
    parser.add_argument("--clips-per-text", type=int, default=1,
                        help="clips of each text, each in its own randomly drawn voice (default: %(default)s)")
    parser.add_argument("--max-train", type=int, default=4000,
                        help="at most this many training clips (default: %(default)s); valid and test keep all theirs")
    parser.add_argument("--jobs", type=int, default=2, help="espeak-ng processes run at once (default: %(default)s)")
    parser.add_argument("--fashion-dir", default="data/image/fashion_mnist",
                        help="where Fashion-MNIST's captions are (default: %(default)s)")
    parser.add_argument("--openmoji-dir", default="data/image/openmoji",
                        help="where OpenMoji's captions are (default: %(default)s)")
    args = parser.parse_args()
    if args.clips_per_text < 1 or args.max_train < 0 or args.jobs < 1:
        sys.exit("speech.py: expected --clips-per-text >= 1, --max-train >= 0 and --jobs >= 1")

    start = time.monotonic()
    check_espeak()
    texts = read_texts(args.fashion_dir, args.openmoji_dir)
    splits = plan(texts, args.seed, args.clips_per_text, args.max_train)
    os.makedirs(os.path.join(args.out, "wav"), exist_ok=True)
    clips = [clip for split in splits.values() for clip in split]
    print(f"{len(texts)} texts -> {len(clips)} clips ({', '.join(f'{k} {len(v)}' for k, v in splits.items())})")

    spoken = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        for done, result in enumerate(pool.map(lambda clip: synthesize(args.out, clip), clips), 1):
            spoken += result
            if done % 500 == 0:
                print(f"  {done}/{len(clips)} clips ({spoken} spoken now), {time.monotonic() - start:.0f} s")

    rates, seconds = set(), {}
    for split, entries in splits.items():
        seconds[split] = 0.0
        for clip in entries:
            frames, rate = duration(os.path.join(args.out, clip["audio"]))
            if frames == 0:
                sys.exit(f"speech.py: {clip['audio']} holds no audio (text {clip['text']!r})")
            rates.add(rate)
            seconds[split] += frames / rate
    if len(rates) != 1:
        sys.exit(f"speech.py: the WAVs have several sample rates {sorted(rates)}; expected one")

    for split, entries in splits.items():
        lines = "".join(json.dumps(clip, ensure_ascii=False) + "\n" for clip in entries)
        image_set.write_atomically(os.path.join(args.out, f"{split}.jsonl"), lines.encode("utf-8"))
    header = {"format": FORMAT, "version": VERSION, "sample_rate": rates.pop(),
              "splits": {split: len(entries) for split, entries in splits.items()},
              "held_out_voices": HELD_OUT_VOICES, "seed": args.seed}
    # Written last: a set whose speech.json exists is complete.
    image_set.write_atomically(os.path.join(args.out, "speech.json"), (json.dumps(header, indent=2) + "\n").encode())

    listed = {os.path.basename(clip["audio"]) for clip in clips}
    stray = [name for name in os.listdir(os.path.join(args.out, "wav")) if name not in listed]
    size = sum(os.path.getsize(os.path.join(args.out, clip["audio"])) for clip in clips)
    for split, entries in splits.items():
        print(f"{split}: {len(entries)} clips, {seconds[split] / 3600:.2f} h")
    print(f"{spoken} clips spoken now, {len(clips) - spoken} already there; {size / 1e6:.0f} MB of WAVs in "
          f"{args.out}; {time.monotonic() - start:.0f} s")
    if stray:
        print(f"note: {len(stray)} files in {args.out}/wav belong to no split (earlier runs with other arguments)")


if __name__ == "__main__":
    main()
