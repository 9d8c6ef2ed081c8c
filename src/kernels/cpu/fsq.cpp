#include "kernels/cpu/fsq.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace tessera::kernels::cpu {

namespace {

constexpr int64_t kParallelWork = 16384;  // below it, one thread: waking the team costs more

// Widening the bound slightly lets tanh's open range still round to the outermost levels.
constexpr double kBoundSlack = 1e-3;

// A value of q within this of a level counts as that level (q * (L / 2) is exact only up
// to float rounding).
constexpr float kLevelTolerance = 1e-3f;

struct Channel {
  float half, offset, shift;  // bound(z) = tanh(z + shift) * half - offset
  float half_width;           // L / 2: q = level / half_width
  int32_t levels;
};

std::vector<Channel> channels_of(const int32_t* levels, int64_t d) {
  std::vector<Channel> out(static_cast<size_t>(d));
  for (int64_t i = 0; i < d; ++i) {
    const double half = (levels[i] - 1) * (1.0 + kBoundSlack) / 2.0;
    const double offset = levels[i] % 2 == 0 ? 0.5 : 0.0;
    out[i] = {static_cast<float>(half), static_cast<float>(offset), static_cast<float>(std::atanh(offset / half)),
              static_cast<float>(levels[i] / 2), levels[i]};
  }
  return out;
}

// The value of q for a signed level k in [-(L / 2), L - 1 - L / 2]: forward and inverse
// both form it this way, so codes round-trip bit for bit.
inline float value_of(float level, const Channel& ch) { return level / ch.half_width; }

}  // namespace

void fsq_forward(float* q, const float* z, const int32_t* levels, int64_t rows, int64_t d) {
  const std::vector<Channel> channels = channels_of(levels, d);
#pragma omp parallel for schedule(static) if (rows * d > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < d; ++i) {
      const Channel& ch = channels[i];
      const float bounded = std::tanh(z[r * d + i] + ch.shift) * ch.half - ch.offset;
      q[r * d + i] = value_of(std::nearbyint(bounded), ch);
    }
  }
}

void fsq_backward(float* dz, const float* dy, const float* z, const int32_t* levels, int64_t rows, int64_t d) {
  const std::vector<Channel> channels = channels_of(levels, d);
#pragma omp parallel for schedule(static) if (rows * d > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < d; ++i) {
      const Channel& ch = channels[i];
      const float t = std::tanh(z[r * d + i] + ch.shift);
      dz[r * d + i] = dy[r * d + i] * (1.0f - t * t) * ch.half / ch.half_width;
    }
  }
}

void fsq_bound(float* u, const float* z, const int32_t* levels, int64_t rows, int64_t d) {
  const std::vector<Channel> channels = channels_of(levels, d);
#pragma omp parallel for schedule(static) if (rows * d > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < d; ++i) {
      const Channel& ch = channels[i];
      u[r * d + i] = (std::tanh(z[r * d + i] + ch.shift) * ch.half - ch.offset) / ch.half_width;
    }
  }
}

void fsq_nearest(float* q, const float* u, const int32_t* levels, int64_t rows, int64_t d) {
  const std::vector<Channel> channels = channels_of(levels, d);
#pragma omp parallel for schedule(static) if (rows * d > kParallelWork)
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t i = 0; i < d; ++i) {
      const Channel& ch = channels[i];
      const float level = std::clamp(std::nearbyint(u[r * d + i] * ch.half_width), -ch.half_width,
                                     static_cast<float>(ch.levels - 1) - ch.half_width);
      q[r * d + i] = value_of(level, ch);
    }
  }
}

int64_t fsq_codes(int32_t* ids, const float* q, const int32_t* levels, int64_t rows, int64_t d) {
  const std::vector<Channel> channels = channels_of(levels, d);
  for (int64_t r = 0; r < rows; ++r) {
    int64_t id = 0, radix = 1;
    for (int64_t i = 0; i < d; ++i) {
      const Channel& ch = channels[i];
      const float digit = q[r * d + i] * ch.half_width + ch.half_width;
      const float nearest = std::nearbyint(digit);
      if (!(std::fabs(digit - nearest) <= kLevelTolerance) || nearest < 0 || nearest >= ch.levels) return r * d + i;
      id += static_cast<int64_t>(nearest) * radix;
      radix *= ch.levels;
    }
    ids[r] = static_cast<int32_t>(id);
  }
  return -1;
}

int64_t fsq_values(float* q, const int32_t* ids, const int32_t* levels, int64_t rows, int64_t d) {
  const std::vector<Channel> channels = channels_of(levels, d);
  int64_t codebook = 1;
  for (int64_t i = 0; i < d; ++i) codebook *= levels[i];
  for (int64_t r = 0; r < rows; ++r) {
    if (ids[r] < 0 || ids[r] >= codebook) return r;
    int64_t rest = ids[r];
    for (int64_t i = 0; i < d; ++i) {
      const Channel& ch = channels[i];
      q[r * d + i] = value_of(static_cast<float>(rest % ch.levels) - ch.half_width, ch);
      rest /= ch.levels;
    }
  }
  return -1;
}

}  // namespace tessera::kernels::cpu
