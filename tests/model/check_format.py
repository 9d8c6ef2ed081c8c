"""Checks docs/format.md from outside: reads a Tessera model folder the way the document
says (config.json; model.safetensors parsed by hand with struct, json and numpy), runs the
model it describes in float64, and compares the result with what `tessera score --top-k K`
printed for the same ids. It uses none of Tessera's code, nor tests/model/reference_model.py.

    check_format.py MODEL SCORE_JSON [--tolerance T]

Compared, each within T (absolute, natural log units): every token's log-probability, the
mean and the sum (within T times the number of tokens summed), and for each "top" and "next" list, each listed token's logit and
log-probability, and that no unlisted token's logit exceeds the smallest listed one by more
than T (the listed ones are the K largest). Exit status 0: all agree; 1: a mismatch (each
printed); 2: the folder or the JSON does not read as the format says.
"""
import argparse
import json
import math
import os
import struct
import sys

import numpy as np

# The safetensors dtypes the format allows in a model folder: model weights are F32.
DTYPES = {"F32": "<f4"}


def read_safetensors(path):
    """name -> float64 array. 8-byte little-endian header length, a JSON header, then the
    data section; each tensor's data_offsets are relative to the data section's start."""
    with open(path, "rb") as f:
        data = f.read()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len].decode("utf-8"))
    body = data[8 + header_len :]
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=DTYPES[entry["dtype"]])
        tensors[name] = array.reshape(entry["shape"]).astype(np.float64)
    return tensors


def rms_norm(x, weight, eps):
    """Over the last axis: x / sqrt(mean(x^2) + eps) * weight."""
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * weight


def rope(x, theta):
    """x: (T, H, D) at positions 0..T-1. Dimension i < D/2 pairs with i + D/2 and the pair
    turns by the angle position * theta^(-2i/D)."""
    t, _, d = x.shape
    half = d // 2
    frequencies = theta ** (-2.0 * np.arange(half) / d)
    angles = np.arange(t)[:, None] * frequencies[None, :]
    cos, sin = np.cos(angles)[:, None, :], np.sin(angles)[:, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    return np.concatenate([x1 * cos - x2 * sin, x2 * cos + x1 * sin], axis=-1)


def logits(config, w, ids):
    """ids: T global ids -> (T, V) logits, each row predicting the next id."""
    a = config["architecture"]
    dim, heads = a["dim"], a["n_heads"]
    d = dim // heads
    # The engine computes in float32 with these two stored as float32.
    eps = float(np.float32(a["norm_eps"]))
    theta = float(np.float32(a["rope_theta"]))
    t = len(ids)
    causal = np.tril(np.ones((t, t), dtype=bool))
    x = w["embed.weight"][ids]
    for layer in range(a["n_layers"]):
        p = f"blocks.{layer}."
        h = rms_norm(x, w[p + "attn_norm.weight"], eps)
        q = (h @ w[p + "attn.wq.weight"].T).reshape(t, heads, d)
        k = (h @ w[p + "attn.wk.weight"].T).reshape(t, heads, d)
        v = (h @ w[p + "attn.wv.weight"].T).reshape(t, heads, d)
        if a["qk_norm"]:
            q = rms_norm(q, w[p + "attn.q_norm.weight"], eps)
            k = rms_norm(k, w[p + "attn.k_norm.weight"], eps)
        q, k = rope(q, theta), rope(k, theta)
        scores = np.einsum("thd,shd->hts", q, k) / math.sqrt(d)
        scores = np.where(causal[None], scores, -np.inf)
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        weights = scores / scores.sum(axis=-1, keepdims=True)
        attended = np.einsum("hts,shd->thd", weights, v).reshape(t, dim)
        x = x + attended @ w[p + "attn.wo.weight"].T
        h = rms_norm(x, w[p + "mlp_norm.weight"], eps)
        gate, up = h @ w[p + "mlp.gate.weight"].T, h @ w[p + "mlp.up.weight"].T
        x = x + (gate / (1.0 + np.exp(-gate)) * up) @ w[p + "mlp.down.weight"].T
    x = rms_norm(x, w["norm.weight"], eps)
    head = w["embed.weight"] if a["tied_embeddings"] else w["head.weight"]
    return x @ head.T


class Comparison:
    def __init__(self, tolerance):
        self.tolerance = tolerance
        self.compared = 0
        self.worst = 0.0
        self.mismatches = []

    def value(self, what, ours, theirs, scale=1):
        """Within the tolerance, times `scale` for a sum of that many values."""
        self.compared += 1
        error = abs(ours - theirs)
        self.worst = max(self.worst, error / scale)
        if not error <= self.tolerance * scale:
            self.mismatches.append(f"{what}: tessera {theirs!r}, this reading {ours!r} (off by {error:.3g})")

    def top(self, what, row, log_probs, listed):
        for c in listed:
            self.value(f"{what} id {c['id']} logit", row[c["id"]], c["logit"])
            self.value(f"{what} id {c['id']} logprob", log_probs[c["id"]], c["logprob"])
        unlisted = np.ones(row.size, dtype=bool)
        unlisted[[c["id"] for c in listed]] = False
        smallest = min(row[c["id"]] for c in listed)
        if unlisted.any():
            best = int(np.argmax(np.where(unlisted, row, -np.inf)))
            if row[best] > smallest + self.tolerance:
                self.mismatches.append(f"{what}: id {best} is not listed, but its logit {row[best]!r} is above "
                                       f"the smallest listed one, {smallest!r}")


def check(model_dir, score, tolerance):
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        config = json.load(f)
    weights = read_safetensors(os.path.join(model_dir, "model.safetensors"))
    ids = [token["id"] for token in score["tokens"]]
    rows = logits(config, weights, np.array(ids))
    top = rows.max(axis=-1, keepdims=True)
    log_probs = rows - (top + np.log(np.exp(rows - top).sum(axis=-1, keepdims=True)))

    c = Comparison(tolerance)
    total = 0.0
    for i, token in enumerate(score["tokens"][1:], start=1):
        ours = log_probs[i - 1, ids[i]]
        total += ours
        c.value(f"token {i} (id {ids[i]}) logprob", ours, token["logprob"])
        if "top" in token:
            c.top(f"token {i} top", rows[i - 1], log_probs[i - 1], token["top"])
    if "next" in score:
        c.top("next", rows[-1], log_probs[-1], score["next"])
    c.value("sum_logprob", total, score["sum_logprob"], scale=max(1, len(ids) - 1))
    if len(ids) > 1:
        c.value("mean_logprob", total / (len(ids) - 1), score["mean_logprob"])
    return c


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model", help="model folder")
    parser.add_argument("score", help="the JSON `tessera score --top-k K` printed")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    try:
        with open(args.score, encoding="utf-8") as f:
            score = json.load(f)
        c = check(args.model, score, args.tolerance)
    except (OSError, KeyError, ValueError) as e:
        print(f"cannot read as docs/format.md says: {type(e).__name__}: {e}")
        return 2
    for m in c.mismatches[:20]:
        print("mismatch:", m)
    print(f"{c.compared} values compared, largest difference {c.worst:.3g} (per value), tolerance {c.tolerance:g}: "
          f"{'agree' if not c.mismatches else f'{len(c.mismatches)} mismatches'}")
    return 0 if not c.mismatches else 1


if __name__ == "__main__":
    sys.exit(main())
