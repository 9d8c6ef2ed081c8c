"""Writes an image set in the raw format src/data/image_set.h reads, one split at a time:

    <split>.images.u8     N images of H x W x C bytes, one after another, rows top to bottom,
                          channels interleaved (grey, RGB or RGBA)
    <split>.captions.txt  N lines of UTF-8, the caption of image i on line i
    <split>.json          {"format": "tessera-image-set", "version": 1, "count": N, "height": H,
                           "width": W, "channels": C, "images": ..., "captions": ..., "source": ...,
                           "split": the rule that chose these images}

The sidecar is written last, so a split whose .json exists is complete. Every file goes
through a temporary file and a rename. Standard library + numpy.
"""
import json
import os
import tempfile

FORMAT = "tessera-image-set"
VERSION = 1


def write_atomically(path, data):
    """Writes bytes to path through a temporary file in the same directory and a rename."""
    directory = os.path.dirname(path) or "."
    fd, temp = tempfile.mkstemp(dir=directory, prefix=".tmp-")
    umask = os.umask(0)
    os.umask(umask)
    os.fchmod(fd, 0o666 & ~umask)  # mkstemp's 0600 would hide the data from other users
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise


def write_split(out_dir, split, images, captions, source, split_rule):
    """images: uint8 array (N, H, W, C); captions: N strings without line breaks."""
    if images.dtype.name != "uint8" or images.ndim != 4 or images.shape[3] not in (1, 3, 4):
        raise ValueError(f"{split}: expected uint8 images (N, H, W, C) with C in 1, 3, 4, "
                         f"found {images.dtype} {images.shape}")
    if len(captions) != images.shape[0]:
        raise ValueError(f"{split}: {images.shape[0]} images but {len(captions)} captions")
    for i, caption in enumerate(captions):
        if "\n" in caption or "\r" in caption:
            raise ValueError(f"{split}: caption {i} holds a line break: {caption!r}")
    os.makedirs(out_dir, exist_ok=True)
    count, height, width, channels = images.shape
    names = {"images": f"{split}.images.u8", "captions": f"{split}.captions.txt"}
    write_atomically(os.path.join(out_dir, names["images"]), images.tobytes())
    write_atomically(os.path.join(out_dir, names["captions"]),
                     "".join(c + "\n" for c in captions).encode("utf-8"))
    sidecar = {"format": FORMAT, "version": VERSION, "count": int(count), "height": int(height),
               "width": int(width), "channels": int(channels), **names, "source": source, "split": split_rule}
    write_atomically(os.path.join(out_dir, f"{split}.json"), (json.dumps(sidecar, indent=2) + "\n").encode())
    return images.nbytes
