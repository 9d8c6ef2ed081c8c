#include "eval/frechet.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace tessera::eval {

namespace {

using Matrix = std::vector<double>;  // (n, n), row-major

constexpr int kMaxSweeps = 100;  // Jacobi converges quadratically: a dozen sweeps is typical

// Eigenvalues of the symmetric matrix `a` (n, n) by cyclic Jacobi rotations, each zeroing
// one off-diagonal pair; with `vectors`, the eigenvectors as its columns (a's eigenvalue i
// belongs to column i). `a` is destroyed: it ends (nearly) diagonal.
std::vector<double> symmetric_eigen(Matrix& a, int64_t n, Matrix* vectors) {
  if (vectors != nullptr) {
    vectors->assign(static_cast<size_t>(n * n), 0.0);
    for (int64_t i = 0; i < n; ++i) (*vectors)[i * n + i] = 1;
  }
  double total = 0;
  for (const double x : a) total += x * x;
  for (int sweep = 0; sweep < kMaxSweeps; ++sweep) {
    double off = 0;
    for (int64_t p = 0; p < n; ++p)
      for (int64_t q = p + 1; q < n; ++q) off += a[p * n + q] * a[p * n + q];
    // Off-diagonal mass below rounding of the whole: the diagonal is the spectrum.
    if (off <= 1e-30 * total) break;
    for (int64_t p = 0; p < n; ++p) {
      for (int64_t q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        if (apq == 0) continue;
        // The rotation J (c at (p,p) and (q,q), s at (p,q), -s at (q,p)) with J^T A J zero at
        // (p,q): t = s / c is the smaller root of t^2 + 2 theta t - 1 = 0, the stable choice.
        const double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (int64_t k = 0; k < n; ++k) {  // A J: columns p and q
          const double kp = a[k * n + p], kq = a[k * n + q];
          a[k * n + p] = c * kp - s * kq;
          a[k * n + q] = s * kp + c * kq;
        }
        for (int64_t k = 0; k < n; ++k) {  // J^T (A J): rows p and q
          const double pk = a[p * n + k], qk = a[q * n + k];
          a[p * n + k] = c * pk - s * qk;
          a[q * n + k] = s * pk + c * qk;
        }
        if (vectors != nullptr) {
          Matrix& v = *vectors;
          for (int64_t k = 0; k < n; ++k) {
            const double kp = v[k * n + p], kq = v[k * n + q];
            v[k * n + p] = c * kp - s * kq;
            v[k * n + q] = s * kp + c * kq;
          }
        }
      }
    }
  }
  std::vector<double> values(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) values[i] = a[i * n + i];
  return values;
}

// The square root of a symmetric positive semi-definite matrix: V sqrt(L) V^T.
Matrix psd_sqrt(Matrix a, int64_t n) {
  Matrix v;
  const std::vector<double> values = symmetric_eigen(a, n, &v);
  Matrix out(static_cast<size_t>(n * n), 0.0);
  for (int64_t k = 0; k < n; ++k) {
    const double root = std::sqrt(std::max(values[k], 0.0));
    for (int64_t i = 0; i < n; ++i) {
      const double vik = v[i * n + k] * root;
      for (int64_t j = 0; j < n; ++j) out[i * n + j] += vik * v[j * n + k];
    }
  }
  return out;
}

// a b, both (n, n).
Matrix multiply(const Matrix& a, const Matrix& b, int64_t n) {
  Matrix out(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t k = 0; k < n; ++k) {
      const double aik = a[i * n + k];
      for (int64_t j = 0; j < n; ++j) out[i * n + j] += aik * b[k * n + j];
    }
  return out;
}

}  // namespace

Gaussian fit_gaussian(const Tensor& rows, const char* what) {
  TESSERA_CHECK(rows.dtype() == DType::f32 && rows.ndim() == 2, "fit_gaussian: ", what, " must be f32 (N, F), found ",
                dtype_name(rows.dtype()), " ", shape_str(rows.shape()));
  const int64_t n = rows.size(0), f = rows.size(1);
  TESSERA_CHECK(n >= 2 && f >= 1, "fit_gaussian: ", what, " must hold at least 2 rows of at least 1 feature (a ",
                "covariance needs 2 samples), found ", shape_str(rows.shape()));
  const float* x = rows.data<float>();
  Gaussian g{std::vector<double>(static_cast<size_t>(f), 0.0), Matrix(static_cast<size_t>(f * f), 0.0)};
  for (int64_t r = 0; r < n; ++r)
    for (int64_t i = 0; i < f; ++i) g.mean[i] += x[r * f + i];
  for (double& m : g.mean) m /= static_cast<double>(n);
  std::vector<double> centred(static_cast<size_t>(f));
  for (int64_t r = 0; r < n; ++r) {
    for (int64_t i = 0; i < f; ++i) centred[i] = x[r * f + i] - g.mean[i];
    for (int64_t i = 0; i < f; ++i)  // the upper triangle; mirrored below
      for (int64_t j = i; j < f; ++j) g.covariance[i * f + j] += centred[i] * centred[j];
  }
  for (int64_t i = 0; i < f; ++i)
    for (int64_t j = i; j < f; ++j) {
      g.covariance[i * f + j] /= static_cast<double>(n - 1);
      g.covariance[j * f + i] = g.covariance[i * f + j];
    }
  return g;
}

double frechet_distance(const Gaussian& a, const Gaussian& b) {
  const int64_t f = a.dim();
  TESSERA_CHECK(b.dim() == f, "frechet_distance: the Gaussians have ", f, " and ", b.dim(),
                " features; both must come from the same features");
  TESSERA_CHECK(
      f >= 1 && a.covariance.size() == static_cast<size_t>(f * f) && b.covariance.size() == static_cast<size_t>(f * f),
      "frechet_distance: a Gaussian of ", f, " features needs a ", f, " x ", f, " covariance");
  double mean_term = 0, trace = 0;
  for (int64_t i = 0; i < f; ++i) {
    mean_term += (a.mean[i] - b.mean[i]) * (a.mean[i] - b.mean[i]);
    trace += a.covariance[i * f + i] + b.covariance[i * f + i];
  }
  // tr((S_a^1/2 S_b S_a^1/2)^1/2): the middle matrix is symmetric PSD, so its root's trace is
  // the sum of the roots of its eigenvalues; symmetrized against rounding in the products.
  const Matrix root_a = psd_sqrt(a.covariance, f);
  Matrix middle = multiply(multiply(root_a, b.covariance, f), root_a, f);
  for (int64_t i = 0; i < f; ++i)
    for (int64_t j = i + 1; j < f; ++j)
      middle[i * f + j] = middle[j * f + i] = (middle[i * f + j] + middle[j * f + i]) / 2;
  double root_trace = 0;
  for (const double value : symmetric_eigen(middle, f, nullptr)) root_trace += std::sqrt(std::max(value, 0.0));
  // Identical sets give 0 up to rounding, which may fall just below it; a distance is not negative.
  return std::max(mean_term + trace - 2 * root_trace, 0.0);
}

double frechet_distance(const Tensor& a, const Tensor& b) {
  TESSERA_CHECK(a.ndim() == 2 && b.ndim() == 2 && a.size(1) == b.size(1), "frechet_distance: feature rows ",
                shape_str(a.shape()), " and ", shape_str(b.shape()), " must be (N, F) and (M, F) of the same F");
  return frechet_distance(fit_gaussian(a, "the first set's features"), fit_gaussian(b, "the second set's features"));
}

}  // namespace tessera::eval
