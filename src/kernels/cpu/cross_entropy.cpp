#include "kernels/cpu/cross_entropy.h"

#include <vector>

#include "kernels/cpu/fast_exp.h"
#include "kernels/cpu/softmax.h"

namespace tessera::kernels::cpu {

namespace {
constexpr int64_t kParallelWork = 16384;  // below it, one thread: waking the team costs more
}  // namespace

double cross_entropy_forward(float* lse, const float* logits, const int32_t* targets, int64_t rows, int64_t V,
                             int32_t ignore_index, float z_loss, const float* row_weight, float* row_loss) {
  // Each row's loss lands in its own slot and the slots are added in order afterwards,
  // so the total does not depend on how the rows were split across threads.
  std::vector<double> weighted(static_cast<size_t>(rows), 0.0);
#pragma omp parallel for schedule(static) if (rows * V > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    if (targets[r] == ignore_index) {
      lse[r] = 0.0f;
      if (row_loss != nullptr) row_loss[r] = 0.0f;
      continue;
    }
    const float* row = logits + r * V;
    const double l = logsumexp(row, V);
    const double loss = l - row[targets[r]] + z_loss * l * l;
    lse[r] = static_cast<float>(l);
    if (row_loss != nullptr) row_loss[r] = static_cast<float>(loss);
    weighted[r] = row_weight != nullptr ? row_weight[r] * loss : loss;
  }
  double total = 0.0;
  for (double loss : weighted) total += loss;
  return total;
}

void cross_entropy_backward(float* dlogits, const float* logits, const int32_t* targets, const float* lse, int64_t rows,
                            int64_t V, int32_t ignore_index, float z_loss, float scale, const float* row_weight) {
#pragma omp parallel for schedule(static) if (rows * V > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = logits + r * V;
    float* drow = dlogits + r * V;
    if (targets[r] == ignore_index) {
#pragma omp simd
      for (int64_t i = 0; i < V; ++i) drow[i] = 0.0f;
      continue;
    }
    // d/dx of z * lse^2 is 2 z lse * softmax, so it only rescales the softmax term.
    const float row_scale = row_weight != nullptr ? scale * row_weight[r] : scale;
    const float m = lse[r], p_scale = row_scale * (1.0f + 2.0f * z_loss * m);
#pragma omp simd
    for (int64_t i = 0; i < V; ++i) drow[i] = p_scale * exp_vectorizable(row[i] - m);
    drow[targets[r]] -= row_scale;
  }
}

}  // namespace tessera::kernels::cpu
