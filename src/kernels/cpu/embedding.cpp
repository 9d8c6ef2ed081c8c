#include "kernels/cpu/embedding.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

namespace tessera::kernels::cpu {

namespace {
constexpr int64_t kParallelWork = 32768;
// Channels per thread never drop below this: a narrower slice makes every thread walk all
// the ids for too little work.
constexpr int64_t kMinChannelSlice = 16;
}  // namespace

int64_t first_invalid_id(const int32_t* ids, int64_t n, int64_t vocab) {
  for (int64_t i = 0; i < n; ++i)
    if (ids[i] < 0 || ids[i] >= vocab) return i;
  return -1;
}

void embedding_forward(float* out, const float* weight, const int32_t* ids, int64_t n, int64_t channels) {
#pragma omp parallel for schedule(static) if (n * channels > kParallelWork)
  for (int64_t i = 0; i < n; ++i) {
    std::memcpy(out + i * channels, weight + static_cast<int64_t>(ids[i]) * channels,
                static_cast<size_t>(channels) * sizeof(float));
  }
}

void embedding_backward(float* grad_weight, const float* grad_out, const int32_t* ids, int64_t n, int64_t vocab,
                        int64_t channels) {
  const bool parallel = (vocab + n) * channels > kParallelWork;
#pragma omp parallel if (parallel)
  {
    const int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
    // Zero this thread's share of rows, then scatter into this thread's share of channels.
    const int64_t row0 = vocab * t / threads, row1 = vocab * (t + 1) / threads;
    std::memset(grad_weight + row0 * channels, 0, static_cast<size_t>((row1 - row0) * channels) * sizeof(float));
#pragma omp barrier
    const int64_t slices = std::min(threads, std::max<int64_t>(1, channels / kMinChannelSlice));
    if (t < slices) {
      const int64_t c0 = channels * t / slices, c1 = channels * (t + 1) / slices;
      for (int64_t i = 0; i < n; ++i) {
        float* dst = grad_weight + static_cast<int64_t>(ids[i]) * channels;
        const float* src = grad_out + i * channels;
#pragma omp simd
        for (int64_t c = c0; c < c1; ++c) dst[c] += src[c];
      }
    }
  }
}

}  // namespace tessera::kernels::cpu
