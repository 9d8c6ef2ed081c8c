"""PyTorch side of bench/bench_ops_nn.cpp: `cases()` maps each benchmark name of the C++
binary to a zero-argument callable doing one iteration of the same work (float32,
forward + backward from a fixed upstream gradient, leaf gradients dropped afterwards).
RMSNorm and RoPE have no fused PyTorch op; they are the compositions users write, with
RoPE's cos/sin tables built once outside the timed call, as models cache them.

Run directly for a quick timing (torch_timing.py): /usr/bin/python3 bench/torch_ops_nn.py [threads]
"""

import torch
import torch.nn.functional as F

import torch_timing
from torch_timing import fwd_bwd, leaf

EPS = 1e-5
B, T = 4, 256


def rms_norm(x, w):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS) * w


def rope_tables(t, d, theta=10000.0):
    inv_freq = theta ** (-torch.arange(0, d, 2, dtype=torch.float32) / d)
    angles = torch.outer(torch.arange(t, dtype=torch.float32), inv_freq)
    angles = torch.cat((angles, angles), -1)[:, None, :]  # (T, 1, D): broadcast over heads
    return angles.cos(), angles.sin()


def rope(x, cos, sin):
    h = x.shape[-1] // 2
    rotated = torch.cat((-x[..., h:], x[..., :h]), -1)
    return x * cos + rotated * sin


def cases():
    torch.manual_seed(0)
    out = {}
    x = leaf(B, T, 2048)
    out["gelu_fwd_bwd/B4_T256_C2048"] = fwd_bwd(lambda: F.gelu(x), x)
    out["gelu_tanh_fwd_bwd/B4_T256_C2048"] = fwd_bwd(lambda: F.gelu(x, approximate="tanh"), x)
    s = leaf(B, T, 1376)
    out["silu_fwd_bwd/B4_T256_C1376"] = fwd_bwd(lambda: F.silu(s), s)
    gate, up = leaf(B, T, 1376), leaf(B, T, 1376)
    out["swiglu_fwd_bwd/B4_T256_C1376"] = fwd_bwd(lambda: F.silu(gate) * up, gate, up)
    scores = leaf(B, 8, T, T)
    out["softmax_fwd_bwd/B4_H8_T256_T256"] = fwd_bwd(lambda: torch.softmax(scores, -1), scores)
    ls = leaf(B, T, 1024)
    out["log_softmax_fwd_bwd/B4_T256_C1024"] = fwd_bwd(lambda: torch.log_softmax(ls, -1), ls)
    V = 8192
    logits = leaf(B, T, V)
    targets = torch.randint(0, V, (B, T))
    out["cross_entropy_fwd_bwd/B4_T256_V8192"] = fwd_bwd(
        lambda: F.cross_entropy(logits.view(-1, V), targets.view(-1)), logits
    )
    n, w, b = leaf(B, T, 512), leaf(512), leaf(512)
    out["rms_norm_fwd_bwd/B4_T256_C512"] = fwd_bwd(lambda: rms_norm(n, w), n, w)
    out["layer_norm_fwd_bwd/B4_T256_C512"] = fwd_bwd(lambda: F.layer_norm(n, (512,), w, b, EPS), n, w, b)
    r = leaf(B, T, 8, 64)
    cos, sin = rope_tables(T, 64)
    out["rope_fwd_bwd/B4_T256_H8_D64"] = fwd_bwd(lambda: rope(r, cos, sin), r)
    return out


if __name__ == "__main__":
    torch_timing.run_standalone(cases)
