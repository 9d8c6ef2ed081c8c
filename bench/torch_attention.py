"""PyTorch side of bench/bench_attention.cpp (names match; see bench/compare_torch.py).

PyTorch 1.13 has no fused attention on the CPU, so this is the standard composition a
model would run: q @ k^T * scale, masked_fill(-inf) for causal, softmax, @ v, on float32
tensors laid out (B, H, T, D), with autograd for the backward.

Run directly for a quick timing (torch_timing.py): /usr/bin/python3 bench/torch_attention.py [threads]
"""

import torch

import torch_timing

SHAPES = [(4, 8, 256, 64, True), (4, 8, 256, 64, False), (1, 8, 1024, 64, True)]


def name(b, h, t, d, causal):
    return f"B{b}_H{h}_T{t}_D{d}_{'causal' if causal else 'full'}"


def attention(q, k, v, causal, banned):
    scores = q @ k.transpose(-2, -1) * q.shape[-1] ** -0.5
    if causal:
        scores = scores.masked_fill(banned, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def cases():
    out = {}
    for b, h, t, d, causal in SHAPES:
        q, k, v = (torch.randn(b, h, t, d) for _ in range(3))
        banned = torch.ones(t, t, dtype=torch.bool).triu(1)
        qg, kg, vg = (x.clone().requires_grad_() for x in (q, k, v))
        upstream = torch.randn(b, h, t, d)

        def fwd(q=q, k=k, v=v, causal=causal, banned=banned):
            with torch.no_grad():
                attention(q, k, v, causal, banned)

        def fwd_bwd(q=qg, k=kg, v=vg, causal=causal, banned=banned, upstream=upstream):
            q.grad = k.grad = v.grad = None
            attention(q, k, v, causal, banned).backward(upstream)

        out[f"attention_fwd/{name(b, h, t, d, causal)}"] = fwd
        out[f"attention_fwd_bwd/{name(b, h, t, d, causal)}"] = fwd_bwd
    return out


if __name__ == "__main__":
    torch_timing.run_standalone(cases)
