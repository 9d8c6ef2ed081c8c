"""The Fréchet distance of two sets of feature rows with numpy, the reference for Tessera's.

tensors: "a" (N, F) and "b" (M, F). Returns "distance" (1,): ||mu_a - mu_b||^2 + tr(S_a) +
tr(S_b) - 2 tr((S_a S_b)^1/2) with np.cov's sample covariances. The trace of the root is taken
another way than Tessera takes it: from the eigenvalues of the product S_a S_b (not symmetric,
but similar to S_a^1/2 S_b S_a^1/2, so its eigenvalues are real and >= 0 up to rounding), by
LAPACK's general eigen solver.
"""
import numpy as np
import torch


def run(tensors, meta):
    a = tensors["a"].double().numpy()
    b = tensors["b"].double().numpy()
    sa = np.atleast_2d(np.cov(a, rowvar=False))  # np.cov of one feature is 0-d
    sb = np.atleast_2d(np.cov(b, rowvar=False))
    eigenvalues = np.linalg.eigvals(sa @ sb)
    root_trace = np.sqrt(np.clip(eigenvalues.real, 0, None)).sum()
    mean_term = ((a.mean(axis=0) - b.mean(axis=0)) ** 2).sum()
    distance = mean_term + np.trace(sa) + np.trace(sb) - 2 * root_trace
    return {"distance": torch.tensor([distance], dtype=torch.float64)}
