"""torch.optim.AdamW in float64 over several steps, the reference for Tessera's AdamW.

tensors: "param.<name>" initial values; "grad<t>.<name>" the gradient at step t (absent:
the parameter has no gradient at that step). meta: "names" (JSON list), "lrs" (JSON list,
one per step), "beta1", "beta2", "eps", "weight_decay". Matrices (ndim >= 2) decay; the
rest form a group with weight_decay 0. Returns "param<t>.<name>" after every step and
"m.<name>" / "v.<name>" at the end.
"""
import json

import torch


def run(tensors, meta):
    names = json.loads(meta["names"])
    lrs = json.loads(meta["lrs"])
    params = {n: tensors["param." + n].double().clone().requires_grad_(True) for n in names}
    groups = [
        {"params": [p for p in params.values() if p.ndim >= 2], "weight_decay": float(meta["weight_decay"])},
        {"params": [p for p in params.values() if p.ndim < 2], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(
        [g for g in groups if g["params"]],
        lr=lrs[0],
        betas=(float(meta["beta1"]), float(meta["beta2"])),
        eps=float(meta["eps"]),
    )
    out = {}
    for t, lr in enumerate(lrs):
        for group in optimizer.param_groups:
            group["lr"] = lr
        for name, p in params.items():
            key = f"grad{t}.{name}"
            p.grad = tensors[key].double() if key in tensors else None
        optimizer.step()
        for name, p in params.items():
            out[f"param{t}.{name}"] = p.detach().clone()
    for name, p in params.items():
        if p in optimizer.state:
            out["m." + name] = optimizer.state[p]["exp_avg"]
            out["v." + name] = optimizer.state[p]["exp_avg_sq"]
    return out
