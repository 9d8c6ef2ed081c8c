"""The golden model tests' PyTorch side (float64): the tiny MLP written here, the
transformer from reference_model.py, both trained with torch.optim.AdamW.

Tensors arrive named as Tessera names its parameters ("param.<name>"), plus the data and
the per-step learning rates; the reply holds the first step's output ("output"), the
per-step losses and gradient norms, the first step's gradients ("grad.<name>") and the
final parameters ("param.<name>")."""
import importlib.util
import os

import torch
import torch.nn.functional as F

_spec = importlib.util.spec_from_file_location(
    "reference_model", os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_model.py"))
reference_model = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reference_model)


def transformer(p, tensors, meta):
    config = {"layers": int(meta["layers"]), "heads": int(meta["heads"]), "eps": float(meta["eps"]),
              "theta": float(meta["theta"]), "ignore_index": -100, "z_loss": float(meta["z_loss"])}
    out = reference_model.logits(p, tensors["ids"].long(), config)
    return out, reference_model.loss(out, tensors["targets"], config)


def mlp(p, tensors, meta):
    h = F.gelu(tensors["x"].double() @ p["fc1.weight"].T + p["fc1.bias"])
    out = h @ p["fc2.weight"].T + p["fc2.bias"]
    return out, F.cross_entropy(out, tensors["targets"].long())


def run(tensors, meta):
    names = [k[len("param."):] for k in tensors if k.startswith("param.")]
    params = {n: tensors["param." + n].double().requires_grad_(True) for n in names}
    decay = [params[n] for n in names if params[n].dim() >= 2]
    no_decay = [params[n] for n in names if params[n].dim() < 2]
    optimizer = torch.optim.AdamW(
        [{"params": decay, "weight_decay": float(meta["weight_decay"])}, {"params": no_decay, "weight_decay": 0.0}],
        lr=1.0, betas=(0.9, 0.95), eps=1e-8)
    model = {"transformer": transformer, "mlp": mlp}[meta["model"]]
    losses, norms, result = [], [], {}
    for step, lr in enumerate(tensors["lrs"].tolist()):
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad()
        out, loss = model(params, tensors, meta)
        loss.backward()
        if step == 0:
            result["output"] = out.detach().clone()
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
