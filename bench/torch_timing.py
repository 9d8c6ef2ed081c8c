"""How the PyTorch side of every benchmark is timed: `best_time` for compare_torch.py's
side-by-side run, and `run_standalone` for a torch_<area>.py run on its own for a quick look:

    OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=passive python3 bench/torch_<area>.py [threads]

(Debian's PyTorch calls the system OpenBLAS, which sizes its thread pool from the
environment when it loads, so set it there; compare_torch.py does this itself.)
"""
import os
import sys
import time


def best_time(fn, min_time):
    """Seconds of one call: the best of repeated calls after a warm-up, at least 5 calls and
    `min_time` seconds in all."""
    for _ in range(3):  # warm up caches and allocators
        fn()
    best, total, runs = float("inf"), 0.0, 0
    while total < min_time or runs < 5:
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        best, total, runs = min(best, elapsed), total + elapsed, runs + 1
    return best


# torch is imported inside the functions: compare_torch.py imports this module before it
# sets the thread environment that torch's BLAS reads when it loads.


def leaf(*shape):
    """A random float32 tensor that collects gradients."""
    import torch

    return torch.randn(*shape).requires_grad_(True)


def fwd_bwd(forward, *leaves):
    """One timed step: `forward()` then its backward from a fixed random upstream gradient;
    the leaves' gradients are dropped after each step, so every step starts alike."""
    import torch

    upstream = torch.randn_like(forward().detach())

    def step():
        forward().backward(upstream)
        for t in leaves:
            t.grad = None

    return step


def run_standalone(cases, min_time=0.5):
    """Times every case of a torch_<area>.py's `cases()` and prints one line each."""
    import torch

    threads = int(sys.argv[1]) if len(sys.argv) > 1 else os.cpu_count()
    torch.set_num_threads(threads)
    print(f"threads: {threads}, torch {torch.__version__}")
    for name, fn in cases().items():
        print(f"{name:55s} {best_time(fn, min_time) * 1e3:10.3f} ms")
