"""PyTorch side of bench/bench_matmul.cpp (names match; see bench/compare_torch.py)."""
import torch
import torch.nn.functional as F

SIZES = [(1024, 512, 512), (1024, 1376, 512), (1024, 512, 1376), (1024, 8192, 512)]


def cases():
    out = {}
    for m, n, k in SIZES:
        tag = f"M:{m}/N:{n}/K:{k}"
        x, w = torch.randn(m, k), torch.randn(n, k)
        out[f"linear_engine_fwd/{tag}"] = lambda x=x, w=w: F.linear(x, w)
        out[f"matmul_engine_fwd/{tag}"] = lambda x=x, wt=w.t().contiguous(): x @ wt
        xg, wg, up = x.clone().requires_grad_(), w.clone().requires_grad_(), torch.randn(m, n)

        def fwd_bwd(xg=xg, wg=wg, up=up):
            xg.grad = wg.grad = None
            F.linear(xg, wg).backward(up)

        out[f"linear_fwd_bwd/{tag}"] = fwd_bwd
    return out
