#include "kernels/cpu/upsample.h"

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 32768;  // below it, one thread: waking the team costs more

}  // namespace

void upsample_nearest2d_forward(float* y, const float* x, int64_t planes, int64_t H, int64_t W, int64_t scale) {
  const int64_t Wo = W * scale;
#pragma omp parallel for collapse(2) schedule(static) if (planes * H * W * scale * scale > kParallelWork)
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t iy = 0; iy < H; ++iy) {
      const float* in = x + (p * H + iy) * W;
      float* first = y + (p * H + iy) * scale * Wo;  // the first of the row's `scale` copies
      for (int64_t ox = 0; ox < Wo; ++ox) first[ox] = in[ox / scale];
      for (int64_t a = 1; a < scale; ++a) {
        float* row = first + a * Wo;
#pragma omp simd
        for (int64_t ox = 0; ox < Wo; ++ox) row[ox] = first[ox];
      }
    }
  }
}

void upsample_nearest2d_backward(float* dx, const float* dy, int64_t planes, int64_t H, int64_t W, int64_t scale) {
  const int64_t Wo = W * scale;
#pragma omp parallel for collapse(2) schedule(static) if (planes * H * W * scale * scale > kParallelWork)
  for (int64_t p = 0; p < planes; ++p) {
    for (int64_t iy = 0; iy < H; ++iy) {
      float* out = dx + (p * H + iy) * W;
      const float* block = dy + (p * H + iy) * scale * Wo;
      for (int64_t ix = 0; ix < W; ++ix) {
        float s = 0.0f;
        for (int64_t a = 0; a < scale; ++a) {
          for (int64_t b = 0; b < scale; ++b) s += block[a * Wo + ix * scale + b];
        }
        out[ix] = s;
      }
    }
  }
}

}  // namespace tessera::kernels::cpu
