"""The other side of the interoperability tests: safetensors files written and read with
numpy alone, following the format's description rather than Tessera's code.

meta["mode"] = "write": writes meta["file"] with one tensor of every dtype (values from
formulas, bf16 rounded by PyTorch), the header's keys in an order unlike the data's, and
metadata; returns every tensor's values widened (floats to f32, integers to i64).
meta["mode"] = "read": reads meta["file"], checks every tensor's dtype and shape against
meta["expect"] (JSON {name: [dtype, shape]}) and the metadata against meta["metadata"],
and returns the values widened the same way.
"""
import json
import struct

import numpy as np
import torch

LITTLE_ENDIAN = {"F32": "<f4", "F16": "<f2", "BF16": "<u2", "I32": "<i4", "I64": "<i8", "U8": "u1"}


def widen(dtype, array):
    if dtype == "BF16":  # bf16 is the top half of an f32
        return (array.astype(np.uint32) << 16).view(np.float32)
    if dtype in ("F32", "F16"):
        return array.astype(np.float32)
    return array.astype(np.int64)


def made_up(dtype, shape):
    n = int(np.prod(shape))
    x = np.arange(n, dtype=np.float64)
    if dtype in ("F32", "F16", "BF16"):
        values = (np.sin(x * 0.7) * 10 ** (x % 7 - 3)).astype(np.float32)
        if dtype == "F16":
            return values.astype("<f2").reshape(shape)
        if dtype == "BF16":
            bits = torch.from_numpy(values).to(torch.bfloat16).view(torch.int16).numpy().view(np.uint16)
            return bits.astype("<u2").reshape(shape)
        return values.astype("<f4").reshape(shape)
    if dtype == "I64":
        return (x.astype(np.int64) * 3_000_000_007 - 5).astype("<i8").reshape(shape)
    if dtype == "I32":
        return (x.astype(np.int64) * 104_729 - 2**31).astype("<i4").reshape(shape)
    return (x.astype(np.int64) * 37 % 256).astype("u1").reshape(shape)


TENSORS = [  # name, dtype, shape, in data order
    ("layers.0.weight", "F32", [3, 17]),
    ("bf16", "BF16", [2, 3, 5]),
    ("f16", "F16", [65]),
    ("ids", "I32", [4, 1]),
    ("big", "I64", [3]),
    ("mask", "U8", [2, 2, 3]),
    ("scalar", "F32", []),
    ("empty", "F16", [0, 3]),
]
METADATA = {"format": "pt", "note": "ünïcødé"}


def write(path):
    header, blobs, offset = {"__metadata__": METADATA}, [], 0
    arrays = {}
    for name, dtype, shape in TENSORS:
        array = made_up(dtype, shape)
        arrays[name] = (dtype, array)
        blob = array.tobytes()
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    ordered = {"__metadata__": METADATA, **dict(reversed([(k, v) for k, v in header.items() if k != "__metadata__"]))}
    text = json.dumps(ordered).encode()  # ensure_ascii: the reader must decode \\u escapes
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    return {name: torch.from_numpy(widen(dtype, array).copy()) for name, (dtype, array) in arrays.items()}


def read(path, expect, metadata):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    got_metadata = header.pop("__metadata__", {})
    if got_metadata != metadata:
        raise ValueError(f"metadata {got_metadata} != {metadata}")
    if sorted(header) != sorted(expect):
        raise ValueError(f"tensors {sorted(header)} != {sorted(expect)}")
    out, end_of_data = {}, 0
    for name, entry in header.items():
        dtype, shape = expect[name]
        if entry["dtype"] != dtype or entry["shape"] != shape:
            raise ValueError(f"{name}: {entry['dtype']} {entry['shape']} != {dtype} {shape}")
        begin, end = entry["data_offsets"]
        array = np.frombuffer(data[8 + n + begin : 8 + n + end], dtype=LITTLE_ENDIAN[dtype]).reshape(shape)
        out[name] = torch.from_numpy(widen(dtype, array).copy())
        end_of_data = max(end_of_data, end)
    if 8 + n + end_of_data != len(data):
        raise ValueError(f"{len(data) - 8 - n - end_of_data} bytes after the last tensor")
    return out


def run(tensors, meta):
    if meta["mode"] == "write":
        return write(meta["file"])
    return read(meta["file"], json.loads(meta["expect"]), json.loads(meta["metadata"]))
