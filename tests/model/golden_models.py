"""The executable spec of the golden model tests: the same tiny MLP and pre-norm
transformer stack written directly in PyTorch (float64), trained with torch.optim.AdamW.

Tensors arrive named as Tessera names its parameters ("param.<name>"), plus the data and
the per-step learning rates; the reply holds the per-step losses and gradient norms, the
first step's gradients ("grad.<name>") and the final parameters ("param.<name>")."""
import math

import torch
import torch.nn.functional as F


def rms_norm(x, w, eps):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w


def rope(x, start, theta):
    _, t, _, d = x.shape
    half = d // 2
    inv_freq = theta ** (-torch.arange(half, dtype=torch.float64) * 2 / d)
    angles = torch.arange(start, start + t, dtype=torch.float64)[:, None] * inv_freq[None, :]
    cos, sin = angles.cos()[None, :, None, :], angles.sin()[None, :, None, :]
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


def attention(q, k, v):
    q, k, v = (t.permute(0, 2, 1, 3) for t in (q, k, v))
    t = q.shape[2]
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    causal = torch.ones(t, t, dtype=torch.bool).tril()
    scores = scores.masked_fill(~causal, float("-inf"))
    return (scores.softmax(-1) @ v).permute(0, 2, 1, 3)


def transformer_loss(p, ids, targets, meta):
    layers, heads = int(meta["layers"]), int(meta["heads"])
    eps, theta, z_loss = float(meta["eps"]), float(meta["theta"]), float(meta["z_loss"])
    h = p["embed.weight"][ids]
    b, t, c = h.shape
    d = c // heads
    for layer in range(layers):
        w = lambda name: p[f"blocks.{layer}.{name}"]
        a = rms_norm(h, w("attn_norm.weight"), eps)
        q = (a @ w("attn.wq.weight").T).view(b, t, heads, d)
        k = (a @ w("attn.wk.weight").T).view(b, t, heads, d)
        v = (a @ w("attn.wv.weight").T).view(b, t, heads, d)
        q = rms_norm(q, w("attn.q_norm.weight"), eps)
        k = rms_norm(k, w("attn.k_norm.weight"), eps)
        y = attention(rope(q, 0, theta), rope(k, 0, theta), v).reshape(b, t, c)
        h = h + y @ w("attn.wo.weight").T
        m = rms_norm(h, w("mlp_norm.weight"), eps)
        gated = F.silu(m @ w("mlp.gate.weight").T) * (m @ w("mlp.up.weight").T)
        h = h + gated @ w("mlp.down.weight").T
    logits = rms_norm(h, p["norm.weight"], eps) @ p["head.weight"].T
    flat, flat_targets = logits.reshape(b * t, -1), targets.reshape(-1).long()
    loss = F.cross_entropy(flat, flat_targets, ignore_index=-100)
    kept = flat_targets != -100
    return loss + z_loss * torch.logsumexp(flat[kept], dim=-1).pow(2).mean()


def mlp_loss(p, x, targets, meta):
    h = F.gelu(x @ p["fc1.weight"].T + p["fc1.bias"])
    logits = h @ p["fc2.weight"].T + p["fc2.bias"]
    return F.cross_entropy(logits, targets.long())


def run(tensors, meta):
    names = [k[len("param."):] for k in tensors if k.startswith("param.")]
    params = {n: tensors["param." + n].double().requires_grad_(True) for n in names}
    decay = [params[n] for n in names if params[n].dim() >= 2]
    no_decay = [params[n] for n in names if params[n].dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": float(meta["weight_decay"])}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1.0, betas=(0.9, 0.95), eps=1e-8)
    lrs = tensors["lrs"].tolist()
    losses, norms, result = [], [], {}
    for step, lr in enumerate(lrs):
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad()
        if meta["model"] == "transformer":
            loss = transformer_loss(params, tensors["ids"].long(), tensors["targets"], meta)
        else:
            loss = mlp_loss(params, tensors["x"].double(), tensors["targets"], meta)
        loss.backward()
        if step == 0:
            for n in names:
                result["grad." + n] = params[n].grad.clone()
        norms.append(float(torch.nn.utils.clip_grad_norm_(list(params.values()), float(meta["clip"]))))
        losses.append(loss.item())
        optimizer.step()
    result["losses"] = torch.tensor(losses, dtype=torch.float64)
    result["grad_norms"] = torch.tensor(norms, dtype=torch.float64)
    for n in names:
        result["param." + n] = params[n]
    return result
