#pragma once
// The Fréchet distance between two sets of feature rows, each summarized by a Gaussian
// (Heusel et al. 2017, "GANs trained by a two time-scale update rule converge to a local
// Nash equilibrium": FID when the features are a judge's):
//
//   d^2 = ||mu_a - mu_b||^2 + tr(S_a + S_b - 2 (S_a^1/2 S_b S_a^1/2)^1/2)
//
// Everything runs in double. The matrix square roots come from our own symmetric eigen
// solver (cyclic Jacobi: a few sweeps of O(F^3) each, nothing at the feature sizes of a
// judge), so no LAPACK is needed; both roots are of symmetric positive semi-definite
// matrices, whose eigenvalues rounding may push just below 0 and which count as 0.
#include <cstdint>
#include <vector>

#include "core/tensor.h"

namespace tessera::eval {

// A Gaussian fitted to feature rows: their mean and sample covariance (divided by N - 1, as
// numpy's np.cov and the reference FID code compute it).
struct Gaussian {
  std::vector<double> mean;        // (F)
  std::vector<double> covariance;  // (F, F), row-major
  int64_t dim() const { return static_cast<int64_t>(mean.size()); }
};

// rows: (N, F) f32 with N >= 2; `what` names them in errors ("generated features").
Gaussian fit_gaussian(const Tensor& rows, const char* what = "feature rows");

// Of two Gaussians of one dimension (the statistics of a reference set can be fitted once
// and compared with many others).
double frechet_distance(const Gaussian& a, const Gaussian& b);
// Of feature rows a: (N, F) and b: (M, F), each with at least 2 rows.
double frechet_distance(const Tensor& a, const Tensor& b);

}  // namespace tessera::eval
