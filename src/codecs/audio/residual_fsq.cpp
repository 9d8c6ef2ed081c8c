#include "codecs/audio/residual_fsq.h"

#include <limits>

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "autograd/fsq.h"
#include "core/error.h"

namespace tessera::codecs {

void check_residual_fsq(const std::vector<int32_t>& levels, int64_t stages, const std::string& where) {
  TESSERA_CHECK(stages >= 1 && stages <= kMaxResidualStages, where, "expected 1 to ", kMaxResidualStages,
                " residual stages, found ", stages);
  const int64_t codebook = fsq_codebook_size(levels, (where + "the code count").c_str());
  TESSERA_CHECK(codebook * stages <= std::numeric_limits<int32_t>::max(), where, stages, " stages of ", codebook,
                " codes make more ids than i32 can hold");
  if (stages == 1) return;
  for (size_t i = 0; i < levels.size(); ++i) {
    TESSERA_CHECK(levels[i] >= 3, where, "residual stages need at least 3 levels per channel (2 levels have no step ",
                  "symmetric about 0 to refine with), found ", levels[i], " at index ", i);
  }
}

ResidualFsq::ResidualFsq(std::vector<int32_t> levels, int64_t stages) : levels_(std::move(levels)), stages_(stages) {
  check_residual_fsq(levels_, stages_, "residual FSQ: ");
  for (const int32_t L : levels_) scale_.push_back(static_cast<float>(2 * ((L - 1) / 2)));
}

Tensor ResidualFsq::refinement(const std::vector<Tensor>& stage_levels) const {
  const int64_t d = static_cast<int64_t>(levels_.size()), n = stage_levels.front().numel() / d;
  Tensor sum = Tensor::zeros({n, d});
  float* out = sum.data<float>();
  for (int64_t i = 0; i < d; ++i) {
    float step = 1.0f;  // s^(k-1) for the stage k being added
    for (size_t k = 1; k < stage_levels.size(); ++k) {
      step *= scale_[i];
      const float* q = stage_levels[k].data<float>();
      for (int64_t r = 0; r < n; ++r) out[r * d + i] += q[r * d + i] / step;
    }
  }
  return sum;
}

ResidualQuantized ResidualFsq::quantize(const Tensor& z) const {
  const int64_t d = static_cast<int64_t>(levels_.size());
  TESSERA_CHECK(z.ndim() == 2 && z.size(1) == d, "residual FSQ: expected latents (N, ", d, "), found ",
                shape_str(z.shape()));
  const int64_t n = z.size(0);
  const Tensor first = fsq(z, levels_);
  std::vector<Tensor> stage_levels{first};
  Tensor codes = Tensor::empty({n, stages_}, DType::i32);
  Tensor refined;
  {
    autograd::NoGradGuard no_grad;
    Tensor left = fsq_bounded(z, levels_);  // what the stages have not yet resolved
    float* r = left.data<float>();
    const float* q1 = first.data<float>();
    for (int64_t k = 0; k < n * d; ++k) r[k] -= q1[k];
    std::vector<float> step(static_cast<size_t>(d), 1.0f);
    for (int64_t s = 1; s < stages_; ++s) {
      Tensor target = Tensor::empty({n, d});
      float* t = target.data<float>();
      for (int64_t i = 0; i < d; ++i) step[i] *= scale_[i];
      for (int64_t k = 0; k < n * d; ++k) t[k] = r[k] * step[k % d];
      const Tensor q = fsq_nearest(target, levels_);
      const float* qv = q.data<float>();
      for (int64_t k = 0; k < n * d; ++k) r[k] -= qv[k] / step[k % d];
      stage_levels.push_back(q);
    }
    int32_t* out = codes.data<int32_t>();
    for (int64_t s = 0; s < stages_; ++s) {
      const Tensor ids = codes_from_fsq(stage_levels[s], levels_);
      const int32_t* id = ids.data<int32_t>();
      for (int64_t row = 0; row < n; ++row) out[row * stages_ + s] = id[row];
    }
    if (stages_ > 1) refined = refinement(stage_levels);
  }
  return {stages_ > 1 ? first + refined : first, codes};
}

Tensor ResidualFsq::values(const Tensor& codes) const {
  TESSERA_CHECK(codes.ndim() == 2 && codes.size(1) == stages_, "residual FSQ: expected codes (N, ", stages_,
                "), found ", shape_str(codes.shape()));
  codes.check_dtype(DType::i32, "residual FSQ codes");
  autograd::NoGradGuard no_grad;
  const int64_t n = codes.size(0);
  std::vector<Tensor> stage_levels;
  for (int64_t s = 0; s < stages_; ++s) {
    Tensor ids = Tensor::empty({n}, DType::i32);
    for (int64_t row = 0; row < n; ++row) ids.data<int32_t>()[row] = codes.data<int32_t>()[row * stages_ + s];
    stage_levels.push_back(fsq_from_codes(ids, levels_));
  }
  return stages_ > 1 ? stage_levels.front() + refinement(stage_levels) : stage_levels.front();
}

}  // namespace tessera::codecs
