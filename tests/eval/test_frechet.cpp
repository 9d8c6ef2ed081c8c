// The Fréchet distance against numpy on samples of known Gaussians, against the closed form
// where the covariances commute (diagonal, or diagonal in one rotated basis), its exact
// values for identical and shifted sets, the fitted statistics by hand, and its errors.
#include <gtest/gtest.h>

#include <cmath>

#include "core/rng.h"
#include "eval/frechet.h"
#include "support/expect_error.h"
#include "support/torch_oracle.h"

namespace tessera::eval {
namespace {

// n samples of mean + z mixing (z standard normal, mixing (F, F)): a Gaussian of
// covariance mixing^T mixing. (n, F) f32
Tensor gaussian_samples(int64_t n, const std::vector<float>& mean, const std::vector<float>& mixing, Rng& rng) {
  const int64_t f = static_cast<int64_t>(mean.size());
  std::vector<float> rows(static_cast<size_t>(n * f)), z(static_cast<size_t>(f));
  for (int64_t r = 0; r < n; ++r) {
    for (float& v : z) v = rng.normal();
    for (int64_t j = 0; j < f; ++j) {
      double v = mean[j];
      for (int64_t k = 0; k < f; ++k) v += z[k] * mixing[k * f + j];
      rows[r * f + j] = static_cast<float>(v);
    }
  }
  return Tensor::from_vector(rows, {n, f});
}

std::vector<float> random_values(int64_t n, float scale, Rng& rng) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = scale * rng.normal();
  return v;
}

double numpy_distance(const Tensor& a, const Tensor& b) {
  const Safetensors out =
      testing::torch_call("script", {{"a", a}, {"b", b}}, {{"path", "tests/eval/frechet_reference.py"}});
  return out.get("distance").item();
}

TEST(FrechetDistance, MatchesNumpyOnSamplesOfKnownGaussians) {
  Rng rng(1);
  for (const int64_t f : {1, 5, 48}) {
    const Tensor a = gaussian_samples(3 * f + 50, random_values(f, 1, rng), random_values(f * f, 0.5f, rng), rng);
    const Tensor b = gaussian_samples(2 * f + 40, random_values(f, 1, rng), random_values(f * f, 0.7f, rng), rng);
    const double ours = frechet_distance(a, b), reference = numpy_distance(a, b);
    // The reply comes back as f32: 1e-5 relative is a few of its roundings.
    EXPECT_NEAR(ours, reference, 1e-5 * std::abs(reference)) << f << " features";
    EXPECT_GT(ours, 0.1) << "distinct Gaussians are apart";
    EXPECT_NEAR(frechet_distance(b, a), ours, 1e-9 * ours) << "the distance is symmetric";
  }
}

// Fewer rows than features: rank-deficient covariances, whose zero eigenvalues rounding
// leaves slightly negative; both ways of taking the root's trace still agree.
TEST(FrechetDistance, MatchesNumpyWithSingularCovariances) {
  Rng rng(2);
  const Tensor a = gaussian_samples(10, random_values(16, 1, rng), random_values(16 * 16, 1, rng), rng);
  const Tensor b = gaussian_samples(12, random_values(16, 1, rng), random_values(16 * 16, 1, rng), rng);
  const double reference = numpy_distance(a, b);
  EXPECT_NEAR(frechet_distance(a, b), reference, 1e-4 * reference);
}

// Commuting covariances share eigenvectors: d^2 = |mu_a - mu_b|^2 + sum (sqrt l_a - sqrt l_b)^2
// over their eigenvalues, whether they are diagonal or diagonal in a rotated basis.
TEST(FrechetDistance, MatchesTheClosedFormForCommutingCovariances) {
  const int64_t f = 6;
  const std::vector<double> la = {4, 1, 0.25, 9, 2, 0}, lb = {1, 1, 4, 0.5, 3, 7};
  const std::vector<double> ma = {1, 0, -2, 0.5, 0, 3}, mb = {0, 0, 1, 0.5, -1, 3};
  double expected = 0;
  for (int64_t i = 0; i < f; ++i)
    expected += (ma[i] - mb[i]) * (ma[i] - mb[i]) +
                (std::sqrt(la[i]) - std::sqrt(lb[i])) * (std::sqrt(la[i]) - std::sqrt(lb[i]));

  // An orthogonal basis q (columns): Gram-Schmidt on a random matrix.
  Rng rng(3);
  std::vector<double> q(static_cast<size_t>(f * f));
  for (double& x : q) x = rng.normal();
  for (int64_t c = 0; c < f; ++c) {
    for (int64_t p = 0; p < c; ++p) {
      double dot = 0;
      for (int64_t r = 0; r < f; ++r) dot += q[r * f + c] * q[r * f + p];
      for (int64_t r = 0; r < f; ++r) q[r * f + c] -= dot * q[r * f + p];
    }
    double norm = 0;
    for (int64_t r = 0; r < f; ++r) norm += q[r * f + c] * q[r * f + c];
    for (int64_t r = 0; r < f; ++r) q[r * f + c] /= std::sqrt(norm);
  }
  const std::vector<double> identity = [&] {
    std::vector<double> id(static_cast<size_t>(f * f), 0.0);
    for (int64_t i = 0; i < f; ++i) id[i * f + i] = 1;
    return id;
  }();
  const std::vector<double>* bases[] = {&identity, &q};
  for (const std::vector<double>* basis : bases) {
    // basis diag(l) basis^T
    const auto covariance = [&](const std::vector<double>& l) {
      std::vector<double> s(static_cast<size_t>(f * f), 0.0);
      for (int64_t i = 0; i < f; ++i)
        for (int64_t j = 0; j < f; ++j)
          for (int64_t k = 0; k < f; ++k) s[i * f + j] += (*basis)[i * f + k] * l[k] * (*basis)[j * f + k];
      return s;
    };
    const Gaussian a{ma, covariance(la)}, b{mb, covariance(lb)};
    EXPECT_NEAR(frechet_distance(a, b), expected, 1e-9 * expected) << (basis == &q ? "rotated" : "diagonal");
  }
}

TEST(FrechetDistance, IsZeroForIdenticalSetsAndTheSquaredShiftForAShiftedCopy) {
  Rng rng(4);
  const Tensor a = gaussian_samples(200, random_values(32, 1, rng), random_values(32 * 32, 1, rng), rng);
  EXPECT_NEAR(frechet_distance(a, a), 0.0, 1e-8);
  EXPECT_GE(frechet_distance(a, a), 0.0);
  std::vector<float> shifted = a.to_vector();
  for (size_t i = 0; i < shifted.size(); ++i) shifted[i] += i % 32 == 3 ? 2.0f : 0.0f;
  EXPECT_NEAR(frechet_distance(a, Tensor::from_vector(shifted, a.shape())), 4.0, 1e-4);
}

TEST(FitGaussian, IsTheMeanAndTheSampleCovariance) {
  // Rows (1, 2), (3, 2), (5, 8): mean (3, 4); deviations (-2, -2), (0, -2), (2, 4); / (3 - 1).
  const Gaussian g = fit_gaussian(Tensor::from_vector(std::vector<float>{1, 2, 3, 2, 5, 8}, {3, 2}));
  EXPECT_EQ(g.dim(), 2);
  EXPECT_EQ(g.mean, (std::vector<double>{3, 4}));
  EXPECT_EQ(g.covariance, (std::vector<double>{4, 6, 6, 12}));
}

TEST(FrechetDistance, RefusesMismatchedFeaturesAndTooFewRows) {
  const Tensor two_by_3 = Tensor::zeros({2, 3}), two_by_4 = Tensor::zeros({2, 4});
  expect_error([&] { frechet_distance(two_by_3, two_by_4); }, {"(2, 3)", "(2, 4)", "same F"});
  expect_error([&] { frechet_distance(two_by_3, Tensor::zeros({1, 3})); }, {"at least 2 rows", "(1, 3)"});
  expect_error([&] { frechet_distance(Tensor::zeros({6}), two_by_3); }, {"(N, F)", "(6,)"});
  expect_error(
      [&] {
        fit_gaussian(Tensor::zeros({2, 3}, DType::i32), "generated features");
      },
      {"generated features", "f32 (N, F)", "i32"});
  expect_error([&] { frechet_distance(fit_gaussian(two_by_3), fit_gaussian(two_by_4)); }, {"3 and 4 features"});
}

}  // namespace
}  // namespace tessera::eval
