#!/usr/bin/python3
"""Packs rasterized OpenMoji PNGs (from openmoji.sh) into Tessera's raw image set format
(see image_set.py): RGB images captioned "annotation: tag, tag, ..." from openmoji.json,
e.g. "grinning face: cheerful, cheery, face, grin, ...". The tags are openmoji.json's
`tags` then its `openmoji_tags`, each once, in that order.

Splits: an emoji goes to valid when int(sha256(SEED + key), 16) % 100 is 90..94, to test
when 95..99, else to train (about 90/5/5), SEED = "tessera-openmoji-v1". The key is the
emoji's hexcode, except that a skin-tone variant uses its base emoji's hexcode, so the
variants of one emoji (near-identical pictures and captions) share a split. Within a
split, emoji keep openmoji.json's order.

Standard library + numpy: PNG decoding is done here, vectorized across images, since
the standard library has none.
"""
import argparse
import hashlib
import json
import os
import struct
import zlib

import numpy as np

import image_set

SEED = "tessera-openmoji-v1"
SPLIT_RULE = (f"by int(sha256('{SEED}' + key), 16) % 100: 90..94 valid, 95..99 test, else train; key = the "
              "hexcode, or the base emoji's hexcode for a skin-tone variant; openmoji.json order kept")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def split_of(entry):
    key = entry.get("skintone_base_hexcode") or entry["hexcode"]
    bucket = int(hashlib.sha256((SEED + key).encode()).hexdigest(), 16) % 100
    return "valid" if 90 <= bucket < 95 else "test" if bucket >= 95 else "train"


def caption_of(entry):
    tags = []
    for field in ("tags", "openmoji_tags"):
        for tag in str(entry.get(field) or "").split(","):
            tag = " ".join(tag.split())
            if tag and tag not in tags:
                tags.append(tag)
    annotation = " ".join(str(entry["annotation"]).split())
    return f"{annotation}: {', '.join(tags)}" if tags else annotation


def png_rows(path, size):
    """The inflated scanlines of an 8-bit, non-interlaced RGB or RGBA PNG of size x size:
    (size, 1 + size * channels) bytes (each row's filter type, then its filtered bytes), and
    the channel count."""
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError(f"{path}: not a PNG: the first bytes are {data[:8]!r}")
    at, header, idat = 8, None, []
    while at + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        at += 12 + length
    if header is None:
        raise ValueError(f"{path}: no IHDR chunk")
    width, height, depth, colour, _, _, interlace = header
    channels = {2: 3, 6: 4}.get(colour)
    if (width, height) != (size, size) or depth != 8 or channels is None or interlace:
        raise ValueError(f"{path}: expected an 8-bit non-interlaced RGB(A) PNG of {size}x{size}, found "
                         f"{width}x{height}, depth {depth}, colour type {colour}, interlace {interlace}")
    raw = zlib.decompress(b"".join(idat))
    if len(raw) != size * (1 + size * channels):
        raise ValueError(f"{path}: {len(raw)} bytes of scanlines, expected {size * (1 + size * channels)}")
    return np.frombuffer(raw, dtype=np.uint8).reshape(size, 1 + size * channels), channels


def unfilter(rows, channels):
    """(N, H, 1 + W * C) filtered scanlines of N images -> (N, H, W, C) uint8 pixels.

    PNG's filters predict each byte from its left (a), upper (b) and upper-left (c)
    neighbours; undoing them is sequential along a row, so the loop runs over rows and
    columns and each step works on all N images at once."""
    count, height, width = rows.shape[0], rows.shape[1], (rows.shape[2] - 1) // channels
    kinds = rows[:, :, 0]
    if kinds.max() > 4:
        raise ValueError(f"a scanline has filter type {kinds.max()}, expected 0..4")
    filtered = rows[:, :, 1:].reshape(count, height, width, channels).astype(np.int32)
    out = np.zeros((count, height, width, channels), dtype=np.int32)
    zero = np.zeros((count, channels), dtype=np.int32)
    for y in range(height):
        kind = kinds[:, y][:, np.newaxis]
        for x in range(width):
            a = out[:, y, x - 1] if x else zero
            b = out[:, y - 1, x] if y else zero
            c = out[:, y - 1, x - 1] if x and y else zero
            p = a + b - c
            pa, pb, pc = np.abs(p - a), np.abs(p - b), np.abs(p - c)
            paeth = np.where((pa <= pb) & (pa <= pc), a, np.where(pb <= pc, b, c))
            prediction = np.select([kind == 1, kind == 2, kind == 3, kind == 4], [a, b, (a + b) // 2, paeth], 0)
            out[:, y, x] = (filtered[:, y, x] + prediction) & 0xFF
    return out.astype(np.uint8)


def on_white(pixels):
    """(N, H, W, 4) RGBA -> (N, H, W, 3) RGB composited on white, rounded."""
    alpha = pixels[..., 3:].astype(np.float64) / 255.0
    rgb = alpha * pixels[..., :3] + (1.0 - alpha) * 255.0
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def decode(scanlines):
    """[(rows, channels)] from png_rows -> (N, H, W, 3) RGB, unfiltering those of one
    channel count together."""
    height, width = scanlines[0][0].shape[0], (scanlines[0][0].shape[1] - 1) // scanlines[0][1]
    images = np.zeros((len(scanlines), height, width, 3), dtype=np.uint8)
    for channels in (3, 4):
        picks = [i for i, (_, c) in enumerate(scanlines) if c == channels]
        if picks:
            pixels = unfilter(np.stack([scanlines[i][0] for i in picks]), channels)
            images[picks] = pixels if channels == 3 else on_white(pixels)
    return images


def main():
    parser = argparse.ArgumentParser(
        description="Pack rasterized OpenMoji PNGs into Tessera image sets {train,valid,test}.{images.u8,"
        "captions.txt,json}. Run through scripts/data/openmoji.sh, which installs and rasterizes first.",
        epilog=f"Split rule: {SPLIT_RULE}.")
    parser.add_argument("--metadata", required=True, help="openmoji.json from the npm package openmoji")
    parser.add_argument("--png-dir", required=True, help="the rasterized emoji, one <hexcode>.png each")
    parser.add_argument("--size", type=int, default=64, help="expected width and height in pixels (default: 64)")
    parser.add_argument("--source", default="OpenMoji (CC BY-SA 4.0)", help="the source line in each sidecar")
    parser.add_argument("--out", default="data/image/openmoji", help="output directory (default: %(default)s)")
    args = parser.parse_args()

    with open(args.metadata, encoding="utf-8") as f:
        entries = json.load(f)
    splits = {"train": [], "valid": [], "test": []}
    missing, broken = [], []
    for entry in entries:
        path = os.path.join(args.png_dir, entry["hexcode"] + ".png")
        if not os.path.exists(path):
            missing.append(entry["hexcode"])
            continue
        splits[split_of(entry)].append((path, caption_of(entry), entry["hexcode"]))
    total = 0
    for split, items in splits.items():
        scanlines, captions = [], []
        for path, caption, hexcode in items:  # a PNG this decoder cannot read is skipped, like a failed render
            try:
                scanlines.append(png_rows(path, args.size))
                captions.append(caption)
            except (ValueError, zlib.error) as e:
                broken.append(f"{hexcode} ({e})")
        images = decode(scanlines) if scanlines else np.zeros((0, args.size, args.size, 3), dtype=np.uint8)
        total += image_set.write_split(args.out, split, images, captions, args.source, SPLIT_RULE)
        print(f"{split}: {len(captions)} emoji")
    print(f"{len(entries)} emoji in {args.metadata}; {len(missing)} without a rendered PNG: {' '.join(missing) or '-'}")
    if broken:
        print(f"{len(broken)} PNGs not decodable, skipped: {'; '.join(broken)}")
    print(f"wrote {total / 1e6:.1f} MB of pixels to {args.out}")


if __name__ == "__main__":
    main()
