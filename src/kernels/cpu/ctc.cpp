#include "kernels/cpu/ctc.h"

#include <cmath>
#include <limits>
#include <utility>
#include <vector>

namespace tessera::kernels::cpu {

namespace {

constexpr double kLogZero = -std::numeric_limits<double>::infinity();

// ln(e^a + e^b), exact when either is ln 0.
double log_add(double a, double b) {
  if (a < b) std::swap(a, b);
  if (b == kLogZero) return a;
  return a + std::log1p(std::exp(b - a));
}

// One sample: its frames of log-probabilities and its labels, seen as the extended states.
struct Sample {
  const float* log_probs;  // (frames, V)
  const int32_t* labels;   // (L)
  int64_t frames, L, V;

  int64_t states() const { return 2 * L + 1; }
  // Even states are blanks, state 2i + 1 is label i.
  int32_t label(int64_t s) const { return s % 2 == 0 ? 0 : labels[s / 2]; }
  // Whether state s may be entered from s - 2, skipping the blank between two different labels.
  bool skips_into(int64_t s) const { return s % 2 == 1 && s >= 3 && labels[s / 2] != labels[s / 2 - 1]; }
  double emit(int64_t t, int64_t s) const { return log_probs[t * V + label(s)]; }
};

Sample sample_at(int64_t b, const float* log_probs, const int32_t* targets, const int32_t* input_lengths,
                 const int32_t* target_lengths, int64_t T, int64_t V, int64_t S) {
  return {log_probs + b * T * V, targets + b * S, input_lengths[b], target_lengths[b], V};
}

// Fills alpha (frames, states) and returns -ln p(labels), +infinity when no alignment fits.
double forward_variables(const Sample& x, std::vector<double>& alpha) {
  const int64_t n = x.states();
  alpha.assign(static_cast<size_t>(x.frames * n), kLogZero);
  alpha[0] = x.emit(0, 0);
  if (x.L > 0) alpha[1] = x.emit(0, 1);
  for (int64_t t = 1; t < x.frames; ++t) {
    const double* prev = alpha.data() + (t - 1) * n;
    double* row = alpha.data() + t * n;
    for (int64_t s = 0; s < n; ++s) {
      double sum = prev[s];
      if (s >= 1) sum = log_add(sum, prev[s - 1]);
      if (x.skips_into(s)) sum = log_add(sum, prev[s - 2]);
      row[s] = sum == kLogZero ? kLogZero : sum + x.emit(t, s);
    }
  }
  const double* last = alpha.data() + (x.frames - 1) * n;
  const double log_p = x.L > 0 ? log_add(last[n - 1], last[n - 2]) : last[n - 1];
  return -log_p;
}

// Writes the sample's gradient rows (frames, V) from alpha and its loss, computing beta
// backwards one frame at a time.
void gradient_rows(const Sample& x, const std::vector<double>& alpha, double loss, float scale, float* d) {
  const int64_t n = x.states(), V = x.V;
  std::vector<double> beta(static_cast<size_t>(n), kLogZero), next(static_cast<size_t>(n), kLogZero);
  std::vector<double> grad(static_cast<size_t>(V));
  for (int64_t t = x.frames - 1; t >= 0; --t) {
    for (int64_t s = 0; s < n; ++s) {
      double sum;
      if (t == x.frames - 1) {
        sum = s >= n - 2 ? 0.0 : kLogZero;  // the path ends on the last label or the final blank
      } else {
        sum = next[s];
        if (s + 1 < n) sum = log_add(sum, next[s + 1]);
        if (s + 2 < n && x.skips_into(s + 2)) sum = log_add(sum, next[s + 2]);
      }
      beta[s] = sum == kLogZero ? kLogZero : sum + x.emit(t, s);
    }
    // alpha and beta both include frame t's emission, so their product counts it twice.
    const float* lp = x.log_probs + t * V;
    float* row = d + t * V;
    for (int64_t v = 0; v < V; ++v) grad[v] = std::exp(static_cast<double>(lp[v]));
    const double* a = alpha.data() + t * n;
    for (int64_t s = 0; s < n; ++s) {
      const double through = a[s] + beta[s];
      if (through != kLogZero) grad[x.label(s)] -= std::exp(through - lp[x.label(s)] + loss);
    }
    for (int64_t v = 0; v < V; ++v) row[v] = static_cast<float>(scale * grad[v]);
    std::swap(beta, next);
  }
}

}  // namespace

void ctc_loss_forward(double* losses, const float* log_probs, const int32_t* targets, const int32_t* input_lengths,
                      const int32_t* target_lengths, int64_t B, int64_t T, int64_t V, int64_t S) {
#pragma omp parallel
  {
    std::vector<double> alpha;
#pragma omp for schedule(dynamic)
    for (int64_t b = 0; b < B; ++b) {
      losses[b] = forward_variables(sample_at(b, log_probs, targets, input_lengths, target_lengths, T, V, S), alpha);
    }
  }
}

void ctc_loss_backward(float* dlogits, const float* log_probs, const int32_t* targets, const int32_t* input_lengths,
                       const int32_t* target_lengths, const double* losses, const float* scale, int64_t B, int64_t T,
                       int64_t V, int64_t S) {
#pragma omp parallel
  {
    std::vector<double> alpha;
#pragma omp for schedule(dynamic)
    for (int64_t b = 0; b < B; ++b) {
      const Sample x = sample_at(b, log_probs, targets, input_lengths, target_lengths, T, V, S);
      float* d = dlogits + b * T * V;
      const bool contributes = std::isfinite(losses[b]) && scale[b] != 0.0f;
      for (int64_t i = contributes ? x.frames * V : 0; i < T * V; ++i) d[i] = 0.0f;
      if (!contributes) continue;
      forward_variables(x, alpha);
      gradient_rows(x, alpha, losses[b], scale[b], d);
    }
  }
}

}  // namespace tessera::kernels::cpu
