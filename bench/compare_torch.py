#!/usr/bin/env python3
"""Runs Tessera's benchmarks and the same work in PyTorch, side by side in one run.

For every bench/bench_<area> binary with a bench/torch_<area>.py beside its source, runs
the binary (Google Benchmark, JSON out) and times each PyTorch case of the same name with
the same thread count, then prints one markdown table: time per iteration in each, the
ratio (PyTorch time / Tessera time: above 1 means Tessera is faster), and GFLOP/s against
the machine's measured SGEMM peak (blas_peak in bench_matmul) where a FLOP count is known.

Usage: bench/compare_torch.py [--build build] [--threads N] [--filter REGEX] [--min-time S]
Run it with Debian's /usr/bin/python3 (where python3-torch lives).
"""
import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys

import torch_timing

HERE = os.path.dirname(os.path.abspath(__file__))
PEAK = "blas_peak/N:2048"  # bench_matmul's plain SGEMM: the machine's measured peak


def run_tessera(binary, threads, regex, min_time):
    env = dict(os.environ, TESSERA_THREADS=str(threads))
    cmd = [binary, "--benchmark_format=json", f"--benchmark_min_time={min_time}"]
    if regex:
        cmd.append(f"--benchmark_filter={regex}")
    result = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True)
    rows = {}
    if not result.stdout.strip():  # the filter matched nothing in this binary
        return rows
    for b in json.loads(result.stdout)["benchmarks"]:
        # A benchmark's own time settings show in its name; the PyTorch twin omits them.
        name = re.sub(r"/(min_time|iterations):[^/]*", "", b["name"].removesuffix("/real_time"))
        seconds = b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        rows[name] = (seconds, b.get("FLOPS"))
    return rows


def tessera_openblas_kernels(build):
    """The OpenBLAS kernels Tessera's binaries run here (kernels/cpu/library_environment.h)."""
    result = subprocess.run([os.path.join(build, "tessera"), "selfcheck", "--steps", "2"],
                            capture_output=True, text=True)
    found = re.search(r"OpenBLAS kernels (\S+)", result.stdout)
    if not found:
        sys.exit(f"compare_torch.py: {build}/tessera selfcheck did not name its OpenBLAS kernels:\n"
                 f"{result.stdout}{result.stderr}")
    return found.group(1)


def load_cases(path):
    spec = importlib.util.spec_from_file_location(os.path.basename(path)[:-3], path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.cases()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build", help="build directory holding bench/ (default: build)")
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="threads for both (default: all cores)")
    parser.add_argument("--filter", default="", help="only benchmarks whose name matches this regex")
    parser.add_argument("--min-time", type=float, default=0.5, help="seconds per benchmark (default 0.5)")
    args = parser.parse_args()

    # Debian's PyTorch calls the system BLAS, whose thread pool ignores set_num_threads and
    # is sized when the library loads: fix both before importing torch.
    os.environ["OPENBLAS_NUM_THREADS"] = os.environ["OMP_NUM_THREADS"] = str(args.threads)
    # Both sides pair OpenMP with OpenBLAS's own threads; workers of either that spin when
    # idle steal the cores the other needs next. Tessera's binaries choose short waits, and
    # OpenBLAS's kernels where its own choice is older than the CPU, themselves
    # (kernels/cpu/library_environment.h); PyTorch gets the same so neither is handicapped.
    if "OMP_WAIT_POLICY" not in os.environ:
        os.environ["OMP_WAIT_POLICY"] = "passive"
        os.environ["GOMP_SPINCOUNT"] = "3000"
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "20")
    if "OPENBLAS_CORETYPE" not in os.environ:
        os.environ["OPENBLAS_CORETYPE"] = tessera_openblas_kernels(args.build)
    import torch

    torch.set_num_threads(args.threads)
    peak = None
    print(f"threads: {args.threads}, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, "
          f"GOMP_SPINCOUNT={os.environ.get('GOMP_SPINCOUNT', 'unset')}, "
          f"OPENBLAS_THREAD_TIMEOUT={os.environ['OPENBLAS_THREAD_TIMEOUT']}, "
          f"OPENBLAS_CORETYPE={os.environ['OPENBLAS_CORETYPE']}, torch {torch.__version__}\n")
    print("| benchmark | Tessera ms | PyTorch ms | PyTorch / Tessera | Tessera GFLOP/s | % of peak |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    # bench_matmul first: it measures the peak the others are compared with.
    for source in sorted(os.listdir(HERE), key=lambda f: (f != "bench_matmul.cpp", f)):
        m = re.fullmatch(r"bench_(\w+)\.cpp", source)
        if not m:
            continue
        binary = os.path.join(args.build, "bench", f"bench_{m.group(1)}")
        if not os.path.exists(binary):
            sys.exit(f"error: {binary} not found; build first (scripts/build.sh)")
        ours = run_tessera(binary, args.threads, args.filter, args.min_time)
        if PEAK in ours:
            peak = ours[PEAK][1]
            print(f"| {PEAK} (cblas_sgemm) | {ours[PEAK][0] * 1e3:.3f} | | | {peak / 1e9:.1f} | 100% |")
        torch_file = os.path.join(HERE, f"torch_{m.group(1)}.py")
        theirs = load_cases(torch_file) if os.path.exists(torch_file) else {}
        for name, (seconds, flops) in ours.items():
            if name == PEAK:
                continue
            torch_ms, ratio = "", ""
            if name in theirs:
                t = torch_timing.best_time(theirs[name], args.min_time)
                torch_ms, ratio = f"{t * 1e3:.3f}", f"{t / seconds:.2f}"
            gflops = f"{flops / 1e9:.1f}" if flops else ""
            share = f"{100 * flops / peak:.0f}%" if flops and peak else ""
            print(f"| {name} | {seconds * 1e3:.3f} | {torch_ms} | {ratio} | {gflops} | {share} |", flush=True)


if __name__ == "__main__":
    main()
