"""PyTorch side of bench/bench_text_model.cpp: the text-tiny recipe's model
(recipes/text-tiny.json), written the way a PyTorch user would (nn.Module, RoPE tables built
once, a preallocated KV cache), doing the same work: one training step (forward, backward,
clipping, AdamW) on the recipe's batch, and 112 greedy tokens at batch 1 after a 16-token
prompt. The architecture is tests/model/reference_model.py's (the golden test's spec);
PyTorch 1.13 has no fused attention, so attention is the explicit softmax(q k^T) v.

Run directly for a quick timing (torch_timing.py): /usr/bin/python3 bench/torch_text_model.py [threads]
"""
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

import torch_timing

HERE = os.path.dirname(os.path.abspath(__file__))
TEXT_VOCAB, CONTROL_TOKENS = 4096, 11  # the recipe's codec size and the shared vocabulary's control tokens
PROMPT, DECODED = 16, 112  # together, the recipe's whole context of 128


def recipe():
    with open(os.path.join(HERE, "..", "recipes", "text-tiny.json")) as f:
        return json.load(f)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-5):
        super().__init__()
        self.weight, self.eps = nn.Parameter(torch.ones(dim)), eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(context, head_dim, theta):
    inv_freq = theta ** (-torch.arange(0, head_dim, 2, dtype=torch.float32) / head_dim)
    angles = torch.outer(torch.arange(context, dtype=torch.float32), inv_freq)
    angles = torch.cat((angles, angles), -1)[:, None, :]  # (T, 1, D)
    return angles.cos(), angles.sin()


def rope(x, cos, sin):  # x: (B, T, H, D); cos, sin: (T, 1, D) for x's positions
    half = x.shape[-1] // 2
    return x * cos + torch.cat((-x[..., half:], x[..., :half]), -1) * sin


class Block(nn.Module):
    def __init__(self, dim, heads, hidden):
        super().__init__()
        self.heads, self.head_dim = heads, dim // heads
        self.attn_norm, self.mlp_norm = RMSNorm(dim), RMSNorm(dim)
        self.wq, self.wk, self.wv, self.wo = (nn.Linear(dim, dim, bias=False) for _ in range(4))
        self.q_norm, self.k_norm = RMSNorm(self.head_dim), RMSNorm(self.head_dim)
        self.gate, self.up = nn.Linear(dim, hidden, bias=False), nn.Linear(dim, hidden, bias=False)
        self.down = nn.Linear(hidden, dim, bias=False)

    def attention(self, x, cos, sin, cache, start):
        b, t, c = x.shape
        shape = (b, t, self.heads, self.head_dim)
        q = rope(self.q_norm(self.wq(x).view(shape)), cos, sin)
        k = rope(self.k_norm(self.wk(x).view(shape)), cos, sin)
        v = self.wv(x).view(shape)
        if cache is not None:  # write this step's keys and values, attend over all so far
            cache[0][:, start : start + t] = k
            cache[1][:, start : start + t] = v
            k, v = cache[0][:, : start + t], cache[1][:, : start + t]
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
        scores = q @ k.transpose(-1, -2) / math.sqrt(self.head_dim)
        if t > 1:  # causal, aligned to the end (the cached positions are all visible)
            mask = torch.ones(t, k.shape[2], dtype=torch.bool).tril(k.shape[2] - t)
            scores = scores.masked_fill(~mask, float("-inf"))
        return self.wo((scores.softmax(-1) @ v).transpose(1, 2).reshape(b, t, c))

    def forward(self, x, cos, sin, cache=None, start=0):
        x = x + self.attention(self.attn_norm(x), cos, sin, cache, start)
        h = self.mlp_norm(x)
        return x + self.down(F.silu(self.gate(h)) * self.up(h))


class Transformer(nn.Module):
    def __init__(self, m, vocab):
        super().__init__()
        self.embed = nn.Embedding(vocab, m["dim"])
        nn.init.normal_(self.embed.weight, std=0.02)
        self.blocks = nn.ModuleList(Block(m["dim"], m["n_heads"], m["hidden"]) for _ in range(m["n_layers"]))
        self.norm = RMSNorm(m["dim"])
        self.cos, self.sin = rope_tables(m["context_length"], m["dim"] // m["n_heads"], m["rope_theta"])

    def forward(self, ids, caches=None, start=0):
        t = ids.shape[1]
        cos, sin = self.cos[start : start + t], self.sin[start : start + t]
        h = self.embed(ids)
        for i, block in enumerate(self.blocks):
            h = block(h, cos, sin, caches[i] if caches else None, start)
        return self.norm(h) @ self.embed.weight.T  # tied head


def train_step_case(r):
    m, o = r["model"], r["optimization"]
    vocab = TEXT_VOCAB + CONTROL_TOKENS
    model = Transformer(m, vocab)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    rest = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": o["weight_decay"]}, {"params": rest, "weight_decay": 0.0}],
                            lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=1e-8)
    ids = torch.randint(0, TEXT_VOCAB, (o["batch_size"], m["context_length"]))
    targets = torch.randint(0, TEXT_VOCAB, (o["batch_size"], m["context_length"]))

    def step():
        opt.zero_grad(set_to_none=True)
        logits = model(ids).view(-1, vocab)
        loss = F.cross_entropy(logits, targets.view(-1)) + o["z_loss"] * torch.logsumexp(logits, -1).pow(2).mean()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), o["clip"])
        opt.step()

    return step


def decode_case(r):
    m = r["model"]
    model = Transformer(m, TEXT_VOCAB + CONTROL_TOKENS).eval()
    prompt = torch.randint(0, TEXT_VOCAB, (1, PROMPT))
    cache_shape = (1, m["context_length"], m["n_heads"], m["dim"] // m["n_heads"])

    @torch.inference_mode()
    def generate():
        caches = [(torch.empty(cache_shape), torch.empty(cache_shape)) for _ in model.blocks]
        logits = model(prompt, caches, 0)[:, -1]
        position, tokens = PROMPT, []
        for _ in range(DECODED):
            token = logits.argmax(-1, keepdim=True)
            tokens.append(token)
            logits = model(token, caches, position)[:, -1]
            position += 1
        return tokens

    return generate


def cases():
    torch.manual_seed(0)
    r = recipe()
    return {
        "train_step/text_tiny_B32_T128": train_step_case(r),
        "decode_greedy_b1/text_tiny_prompt16_new112": decode_case(r),
    }


if __name__ == "__main__":
    torch_timing.run_standalone(cases)
