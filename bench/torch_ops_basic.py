"""PyTorch twins of bench/bench_ops_basic.cpp: the same case names, float32 shapes and
work. `cases()` maps each name to a zero-argument callable running one iteration: drop the
inputs' gradients, run the op forward, then backward from a fixed upstream gradient.

Run directly for a quick timing (torch_timing.py): /usr/bin/python3 bench/torch_ops_basic.py [threads]
"""

import torch
import torch.nn.functional as F

import torch_timing

B, T, C, V, H, D = 4, 256, 512, 8192, 8, 64


def _input(*shape):
    return torch.randn(*shape, requires_grad=True)


def _fwd_bwd(inputs, op):
    upstream = torch.randn_like(op().detach())

    def step():
        for t in inputs:
            t.grad = None
        op().backward(upstream)

    return step


def cases():
    torch.manual_seed(0)
    btc = "/B4_T256_C512"
    a, b, c = _input(B, T, C), _input(B, T, C), _input(B, T, C)
    bias, positions, rows = _input(C), _input(T, C), _input(B, 1, C)
    divisor = (torch.rand(B, T, C) * 1.5 + 0.5).requires_grad_(True)
    heads = _input(B, T, H, D)
    qkv = _input(B, T, 3 * C)
    table = _input(V, C)
    ids = torch.randint(0, V, (B, T))
    return {
        "add_fwd_bwd" + btc: _fwd_bwd([a, b], lambda: a + b),
        "add_bias_fwd_bwd" + btc: _fwd_bwd([a, bias], lambda: a + bias),
        "add_positions_fwd_bwd" + btc: _fwd_bwd([a, positions], lambda: a + positions),
        "add_rows_fwd_bwd" + btc: _fwd_bwd([a, rows], lambda: a + rows),
        "sub_fwd_bwd" + btc: _fwd_bwd([a, b], lambda: a - b),
        "mul_fwd_bwd" + btc: _fwd_bwd([a, b], lambda: a * b),
        "mul_bias_fwd_bwd" + btc: _fwd_bwd([a, bias], lambda: a * bias),
        "div_fwd_bwd" + btc: _fwd_bwd([a, divisor], lambda: a / divisor),
        "scale_fwd_bwd" + btc: _fwd_bwd([a], lambda: a * 0.125),
        "sum_fwd_bwd" + btc: _fwd_bwd([a], lambda: a.sum()),
        "mean_fwd_bwd" + btc: _fwd_bwd([a], lambda: a.mean()),
        "sum_last_dim_fwd_bwd" + btc: _fwd_bwd([a], lambda: a.sum(-1)),
        "mean_last_dim_fwd_bwd" + btc: _fwd_bwd([a], lambda: a.mean(-1, keepdim=True)),
        "reshape_fwd_bwd/B4_T256_H8_D64": _fwd_bwd([a], lambda: a.reshape(B, T, H, D)),
        "transpose/B4_T256_H8_D64": _fwd_bwd([heads], lambda: heads.transpose(1, 2).contiguous()),
        "transpose/B4_T256_C512": _fwd_bwd([a], lambda: a.transpose(1, 2).contiguous()),
        "permute/B4_T256_H8_D64": _fwd_bwd([heads], lambda: heads.permute(0, 2, 3, 1).contiguous()),
        "concat_fwd_bwd" + btc: _fwd_bwd([a, b, c], lambda: torch.cat([a, b, c], -1)),
        "slice_fwd_bwd" + btc: _fwd_bwd([qkv], lambda: qkv[:, :, C : 2 * C].contiguous()),
        "embedding_fwd_bwd/B4_T256_V8192_C512": _fwd_bwd([table], lambda: F.embedding(ids, table)),
        "dropout_fwd_bwd" + btc: _fwd_bwd([a], lambda: F.dropout(a, 0.1, training=True)),
        "mse_loss_fwd_bwd" + btc: _fwd_bwd([a, b], lambda: F.mse_loss(a, b)),
        "l1_loss_fwd_bwd" + btc: _fwd_bwd([a, b], lambda: F.l1_loss(a, b)),
    }


if __name__ == "__main__":
    torch_timing.run_standalone(cases)
