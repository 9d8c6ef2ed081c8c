"""PyTorch side of bench/bench_conv.cpp: `cases()` maps each benchmark name of the C++
binary to a zero-argument callable doing one iteration of the same work (float32; forward
alone under no_grad, or forward + backward from a fixed upstream gradient with the leaf
gradients dropped afterwards; conv2d_bwd_data and conv2d_bwd_weight time one gradient alone).

Run directly for a quick timing (torch_timing.py): /usr/bin/python3 bench/torch_conv.py [threads]
"""

import torch
import torch.nn.functional as F

import torch_timing
from torch_timing import fwd_bwd, leaf


def fwd(forward):
    def step():
        with torch.no_grad():
            forward()

    return step


def label(n, cin, cout, h, w, k, stride):
    channels = f"C{cin}" if cin == cout else f"C{cin}to{cout}"
    return f"N{n}_{channels}_{h}x{w}_k{k}_s{stride}"


def conv2d_cases(out, n, cin, cout, h, w, k, stride, padding):
    x, wt, b = leaf(n, cin, h, w), leaf(cout, cin, k, k), leaf(cout)
    forward = lambda: F.conv2d(x, wt, b, stride=stride, padding=padding)  # noqa: E731
    out["conv2d_fwd/" + label(n, cin, cout, h, w, k, stride)] = fwd(forward)
    out["conv2d_fwd_bwd/" + label(n, cin, cout, h, w, k, stride)] = fwd_bwd(forward, x, wt, b)


def conv2d_gradient_cases(out, n, cin, cout, h, w, k, stride, padding):
    x, wt = torch.randn(n, cin, h, w), torch.randn(cout, cin, k, k)
    dy = F.conv2d(x, wt, stride=stride, padding=padding).normal_()
    name = label(n, cin, cout, h, w, k, stride)
    out["conv2d_bwd_data/" + name] = lambda: torch.nn.grad.conv2d_input(x.shape, wt, dy, stride, padding)
    out["conv2d_bwd_weight/" + name] = lambda: torch.nn.grad.conv2d_weight(x, wt.shape, dy, stride, padding)


def cases():
    torch.manual_seed(0)
    out = {}
    conv2d_cases(out, 16, 64, 64, 32, 32, 3, 1, 1)
    conv2d_cases(out, 16, 128, 128, 16, 16, 3, 1, 1)
    conv2d_cases(out, 16, 3, 64, 64, 64, 3, 1, 1)
    conv2d_cases(out, 16, 64, 128, 32, 32, 4, 2, 1)
    conv2d_cases(out, 16, 128, 64, 16, 16, 1, 1, 0)
    for cin, cout, h, stride in [(16, 16, 64, 1), (32, 32, 32, 1), (128, 128, 8, 1), (3, 16, 64, 1),
                                 (16, 32, 64, 2), (32, 16, 64, 1), (16, 3, 64, 1)]:
        conv2d_cases(out, 16, cin, cout, h, h, 3, stride, 1)
        if stride == 1 and cin <= 32:
            conv2d_gradient_cases(out, 16, cin, cout, h, h, 3, stride, 1)
    x, w, b = leaf(16, 128, 16, 16), leaf(128, 64, 4, 4), leaf(64)
    out["conv_transpose2d_fwd_bwd/N16_C128to64_16x16_k4_s2"] = fwd_bwd(
        lambda: F.conv_transpose2d(x, w, b, stride=2, padding=1), x, w, b
    )
    a, aw, ab = leaf(16, 128, 1024), leaf(128, 128, 7), leaf(128)
    out["conv1d_fwd_bwd/N16_C128_L1024_k7"] = fwd_bwd(lambda: F.conv1d(a, aw, ab, stride=1, padding=3), a, aw, ab)
    g, gw, gb = leaf(16, 128, 32, 32), leaf(128), leaf(128)
    out["group_norm_fwd_bwd/N16_C128_32x32_G32"] = fwd_bwd(lambda: F.group_norm(g, 32, gw, gb, 1e-5), g, gw, gb)
    return out


if __name__ == "__main__":
    torch_timing.run_standalone(cases)
