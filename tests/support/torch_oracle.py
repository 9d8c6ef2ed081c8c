"""PyTorch side of Tessera's golden tests.

Reads request paths on stdin, one per line. Each request is a safetensors file whose
metadata names a `function` (below) and its string arguments; the reply is written to
`<request>.out` and acknowledged with one line on stdout: `ok` or the error.
Computation runs in float64, so the reference is exact to well below f32 rounding.
"""
import importlib.util
import json
import os
import struct
import sys
import traceback

import numpy as np
import torch
import torch.nn.functional as F

torch.set_num_threads(1)

DTYPES = {"F32": np.float32, "F64": np.float64, "F16": np.float16, "I32": np.int32, "I64": np.int64, "U8": np.uint8}
NAMES = {np.dtype(v): k for k, v in DTYPES.items()}


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    base = 8 + n
    tensors = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        raw = data[base + b : base + end]
        if e["dtype"] == "BF16":  # numpy has no bfloat16: reinterpret the bits in torch
            bits = np.frombuffer(raw, dtype=np.int16).reshape(e["shape"]).copy()
            tensors[name] = torch.from_numpy(bits).view(torch.bfloat16)
        else:
            arr = np.frombuffer(raw, dtype=DTYPES[e["dtype"]]).reshape(e["shape"])
            tensors[name] = torch.from_numpy(arr.copy())
    return tensors, meta


def save(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        t = t.detach().cpu()
        if t.dtype == torch.bfloat16:
            a, dtype = t.view(torch.int16).numpy(), "BF16"
        else:
            a = t.numpy()
            if a.dtype == np.float64:
                a = a.astype(np.float32)
            dtype = NAMES[a.dtype]
        a = a.copy(order="C")  # keeps 0-d arrays 0-d, unlike ascontiguousarray
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        blobs.append(a.tobytes())
        offset += a.nbytes
    text = json.dumps(header).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def wide(t):
    return t.double() if t.is_floating_point() else t.long()


def op(tensors, meta):
    """Evaluates meta['expr'] (a Python lambda over the inputs in0, in1, ...) and the
    gradients of sum(out * upstream) for the inputs listed in meta['grad']."""
    fn = eval(meta["expr"], {"torch": torch, "F": F, "math": __import__("math")})
    n = int(meta["inputs"])
    grad_of = set(json.loads(meta["grad"]))
    args = []
    for i in range(n):
        t = wide(tensors[f"in{i}"])
        if i in grad_of:
            t.requires_grad_(True)
        args.append(t)
    out = fn(*args)
    result = {"out": out}
    if grad_of:
        out.backward(wide(tensors["upstream"]))
        for i in grad_of:
            g = args[i].grad
            result[f"grad{i}"] = g if g is not None else torch.zeros_like(args[i])
    return result


def script(tensors, meta):
    """Runs `run(tensors, meta)` of the Python file meta['path'] (relative to the repo)."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, meta["path"])
    spec = importlib.util.spec_from_file_location("golden_script", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.run(tensors, meta)


def main():
    for line in sys.stdin:
        path = line.strip()
        try:
            tensors, meta = load(path)
            result = {"op": op, "script": script}[meta["function"]](tensors, meta)
            save(path + ".out", result)
            print("ok", flush=True)
        except Exception:
            print(traceback.format_exc().replace("\n", " | "), flush=True)


if __name__ == "__main__":
    main()
