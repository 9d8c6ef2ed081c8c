#!/usr/bin/python3
"""Turns Fashion-MNIST (Debian's dataset-fashion-mnist, IDX files) into Tessera's raw image
set format (see image_set.py): 28 x 28 grey images, each captioned with its class name
("ankle boot").

Splits:
  test   the official 10,000 test images, in their order.
  valid  5,000 of the 60,000 official training images: the indices i with the smallest
         sha256(SEED + str(i)), SEED = "tessera-fashion-mnist-v1"; kept in index order.
  train  the other 55,000 training images, in index order.
The output is deterministic: the same IDX files always give the same bytes.

Standard library + numpy.
"""
import argparse
import gzip
import hashlib
import os
import sys
import time

import numpy as np

import image_set

SEED = "tessera-fashion-mnist-v1"
VALID_COUNT = 5000
SOURCE_DIR = "/usr/share/datasets/fashion-mnist"
# The labels 0..9 in the order of Fashion-MNIST's README.
CLASS_NAMES = ["t-shirt/top", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot"]
SPLIT_RULE = (f"test: the official 10000 test images; valid: the {VALID_COUNT} official training images i "
              f"with the smallest sha256('{SEED}' + str(i)); train: the other training images; index order kept")


def open_idx(directory, stem):
    """The IDX file `stem`, plain or gzipped (Debian ships it gzipped)."""
    for name, opener in ((stem, open), (stem + ".gz", gzip.open)):
        path = os.path.join(directory, name)
        if os.path.exists(path):
            with opener(path, "rb") as f:
                return path, f.read()
    sys.exit(f"{os.path.join(directory, stem)}[.gz]: not found; Fashion-MNIST comes from Debian's "
             "dataset-fashion-mnist: run scripts/install-deps.sh")


def read_idx(directory, stem, magic, dims):
    """An IDX file of unsigned bytes: big-endian magic (0x0000 08 ndim), ndim u32 sizes, the data."""
    path, data = open_idx(directory, stem)
    header = 4 + 4 * dims
    if len(data) < header:
        sys.exit(f"{path}: expected a {header}-byte IDX header, found {len(data)} bytes")
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        sys.exit(f"{path}: field 'magic': expected {magic:#010x}, found {found:#010x}")
    shape = [int.from_bytes(data[4 + 4 * k:8 + 4 * k], "big") for k in range(dims)]
    if len(data) - header != int(np.prod(shape)):
        sys.exit(f"{path}: the header says {shape} ({int(np.prod(shape))} bytes), found {len(data) - header} bytes")
    return path, np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


def read_pair(directory, prefix):
    images_path, images = read_idx(directory, f"{prefix}-images-idx3-ubyte", 0x803, 3)
    labels_path, labels = read_idx(directory, f"{prefix}-labels-idx1-ubyte", 0x801, 1)
    if len(images) != len(labels):
        sys.exit(f"{labels_path}: {len(labels)} labels for the {len(images)} images of {images_path}")
    if labels.max() >= len(CLASS_NAMES):
        sys.exit(f"{labels_path}: expected labels 0..{len(CLASS_NAMES) - 1}, found {labels.max()}")
    return images[..., np.newaxis], labels


def valid_indices(count):
    ranked = sorted(range(count), key=lambda i: hashlib.sha256(f"{SEED}{i}".encode()).digest())
    return np.sort(np.array(ranked[:VALID_COUNT]))


def main():
    parser = argparse.ArgumentParser(
        description="Write Fashion-MNIST as Tessera image sets: {train,valid,test}.{images.u8,captions.txt,json}, "
        "28x28 grey images captioned with their class name.",
        epilog=f"Split rule: {SPLIT_RULE}.")
    parser.add_argument("--out", default="data/image/fashion_mnist", help="output directory (default: %(default)s)")
    parser.add_argument("--source-dir", default=SOURCE_DIR,
                        help="where the IDX files are, plain or .gz (default: %(default)s, Debian's "
                        "dataset-fashion-mnist)")
    args = parser.parse_args()

    start = time.monotonic()
    train_images, train_labels = read_pair(args.source_dir, "train")
    test_images, test_labels = read_pair(args.source_dir, "t10k")
    held = np.zeros(len(train_images), dtype=bool)
    held[valid_indices(len(train_images))] = True
    splits = {"train": (train_images[~held], train_labels[~held]),
              "valid": (train_images[held], train_labels[held]),
              "test": (test_images, test_labels)}
    source = "Fashion-MNIST (Zalando Research, MIT license), Debian package dataset-fashion-mnist"
    total = 0
    for split, (images, labels) in splits.items():
        captions = [CLASS_NAMES[label] for label in labels]
        total += image_set.write_split(args.out, split, np.ascontiguousarray(images), captions, source, SPLIT_RULE)
        print(f"{split}: {len(images)} images")
    print(f"wrote {total / 1e6:.1f} MB of pixels to {args.out} in {time.monotonic() - start:.1f} s")


if __name__ == "__main__":
    main()
