"""The executable spec of Tessera's transformer (src/model/transformer.h,
src/nn/transformer_block.h), written plainly in PyTorch so it can be read beside the C++.

Parameters are a dict under Tessera's names; `config` holds the architecture:
layers, heads, eps, theta (and the loss's ignore_index and z_loss).

    h = embed.weight[ids]
    for each block:   h = h + attention(rms_norm(h));   h = h + swiglu(rms_norm(h))
    logits = rms_norm(h) @ head.weight^T      (embed.weight when the head is tied)
"""
import math

import torch
import torch.nn.functional as F


def rms_norm(x, weight, eps):
    """Over the last dimension: x / sqrt(mean(x^2) + eps) * weight."""
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight


def rope(x, start, theta):
    """Rotary embedding, rotate-half pairing (src/kernels/cpu/rope.h): x is (B, T, H, D);
    dimension i < D/2 pairs with i + D/2 and the pair turns by (start + t) * theta^(-2i/D)."""
    _, t, _, d = x.shape
    half = d // 2
    inv_freq = theta ** (-2.0 * torch.arange(half, dtype=torch.float64) / d)
    angles = torch.arange(start, start + t, dtype=torch.float64)[:, None] * inv_freq[None, :]
    cos, sin = angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x2 * cos + x1 * sin], dim=-1)


def causal_attention(q, k, v):
    """softmax(q k^T / sqrt(D)) v, each query seeing keys up to its own position.
    q, k, v: (B, T, H, D), the layout Tessera keeps; SDPA wants (B, H, T, D)."""
    q, k, v = (x.transpose(1, 2) for x in (q, k, v))
    t = q.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~torch.ones(t, t, dtype=torch.bool).tril(), float("-inf"))
    return (scores.softmax(-1) @ v).transpose(1, 2)


def attention(p, prefix, x, config):
    b, t, c = x.shape
    heads = config["heads"]
    d = c // heads
    q = (x @ p[prefix + "wq.weight"].T).view(b, t, heads, d)
    k = (x @ p[prefix + "wk.weight"].T).view(b, t, heads, d)
    v = (x @ p[prefix + "wv.weight"].T).view(b, t, heads, d)
    if prefix + "q_norm.weight" in p:  # QK-norm: an RMSNorm over each head's D
        q = rms_norm(q, p[prefix + "q_norm.weight"], config["eps"])
        k = rms_norm(k, p[prefix + "k_norm.weight"], config["eps"])
    q, k = rope(q, 0, config["theta"]), rope(k, 0, config["theta"])
    return causal_attention(q, k, v).reshape(b, t, c) @ p[prefix + "wo.weight"].T


def swiglu(p, prefix, x):
    return (F.silu(x @ p[prefix + "gate.weight"].T) * (x @ p[prefix + "up.weight"].T)) @ p[prefix + "down.weight"].T


def logits(p, ids, config):
    """ids (B, T) -> logits (B, T, V)."""
    eps = config["eps"]
    h = p["embed.weight"][ids]
    for layer in range(config["layers"]):
        block = f"blocks.{layer}."
        h = h + attention(p, block + "attn.", rms_norm(h, p[block + "attn_norm.weight"], eps), config)
        h = h + swiglu(p, block + "mlp.", rms_norm(h, p[block + "mlp_norm.weight"], eps))
    head = p["head.weight"] if "head.weight" in p else p["embed.weight"]
    return rms_norm(h, p["norm.weight"], eps) @ head.T


def loss(logits, targets, config):
    """Cross-entropy averaged over the positions not ignored, plus PaLM's z-loss,
    z_loss * logsumexp(logits)^2, averaged over the same positions
    (src/autograd/cross_entropy.h)."""
    flat, flat_targets = logits.reshape(-1, logits.shape[-1]), targets.reshape(-1).long()
    kept = flat_targets != config["ignore_index"]
    nll = F.cross_entropy(flat, flat_targets, ignore_index=config["ignore_index"])
    return nll + config["z_loss"] * torch.logsumexp(flat[kept], dim=-1).pow(2).mean()
