"""torch.nn.utils.clip_grad_norm_ in float64, the reference for Tessera's clip_grad_norm.

tensors: "grad.<name>" for every parameter that has a gradient; meta: "names" (JSON list
of all parameters, with or without one), "max_norm". Returns "norm" (the norm before
clipping, shape (1,)) and "grad.<name>" after clipping.
"""
import json

import torch


def run(tensors, meta):
    params = []
    for name in json.loads(meta["names"]):
        p = torch.zeros(1, dtype=torch.float64, requires_grad=True)
        key = "grad." + name
        if key in tensors:
            p = torch.zeros_like(tensors[key], dtype=torch.float64, requires_grad=True)
            p.grad = tensors[key].double().clone()
        params.append((name, p))
    norm = torch.nn.utils.clip_grad_norm_([p for _, p in params], float(meta["max_norm"]))
    out = {"norm": norm.reshape(1)}
    for name, p in params:
        if p.grad is not None:
            out["grad." + name] = p.grad
    return out
