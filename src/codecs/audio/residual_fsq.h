#pragma once
// Residual finite scalar quantization: `stages` FSQ codes per latent vector, each stage
// quantizing what the stages before it left over, so a vector costs `stages` tokens and is
// resolved ever more finely.
//
// In the units of fsq_bounded (autograd/fsq.h), channel i of L levels has its levels
// k / m for integers k in [-m, L - 1 - m], m = floor(L / 2): a step of 1 / m.
//   stage 1: q_1 = fsq(z), the ordinary quantizer; u = fsq_bounded(z) is the value it
//            rounded, so the leftover r_1 = u - q_1 lies within half a step, |r_1| <= 1 / (2 m).
//   stage k: q_k = fsq_nearest(r_{k-1} s^(k-1)), r_k = r_{k-1} - q_k / s^(k-1), with the
//            per-channel scale s = 2 floor((L - 1) / 2).
// The scale maps the leftover's range onto the largest range of levels symmetric about 0:
// [-1, 1] for odd L (all L levels), [-(m - 1) / m, (m - 1) / m] for even L (the level -1 has
// no mirror and goes unused). Each stage then leaves at most half of its own step, so the
// bound on the error shrinks by s per stage (4 for 5 levels, 6 for 8), and since 0 is a
// level, a stage never makes a channel's error larger. L = 2 has no symmetric step to
// refine with, so more than one stage needs every level count >= 3.
//
// The quantized value is q_1 + sum_{k>1} q_k / s^(k-1) (summed in stage order, the same way
// when decoding, so a decoded code frame is bit for bit the training's value). Its gradient
// is fsq's straight-through one: the later stages are a constant added without gradient.
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tessera::codecs {

inline constexpr int64_t kMaxResidualStages = 8;

// Checks levels and stages as the quantizer needs them; `where` prefixes the messages.
void check_residual_fsq(const std::vector<int32_t>& levels, int64_t stages, const std::string& where);

struct ResidualQuantized {
  Tensor values;  // (N, d): the sum over stages, with fsq's straight-through gradient
  Tensor codes;   // i32 (N, stages): each stage's code in [0, prod(levels))
};

class ResidualFsq {
 public:
  ResidualFsq(std::vector<int32_t> levels, int64_t stages);

  // z: (N, d), d = levels.size(), the encoder's unbounded latents.
  ResidualQuantized quantize(const Tensor& z) const;
  // codes: i32 (N, stages) -> values (N, d), exactly quantize's for the same codes. A code
  // outside [0, prod(levels)) is an error naming it.
  Tensor values(const Tensor& codes) const;

  int64_t stages() const { return stages_; }
  const std::vector<int32_t>& levels() const { return levels_; }

 private:
  // sum_{k>1} q_k / s^(k-1) of the stages' quantized levels (each (N, d)).
  Tensor refinement(const std::vector<Tensor>& stage_levels) const;

  std::vector<int32_t> levels_;
  int64_t stages_;
  std::vector<float> scale_;  // s per channel
};

}  // namespace tessera::codecs
