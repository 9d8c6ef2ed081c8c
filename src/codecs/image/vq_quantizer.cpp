#include "codecs/image/vq_quantizer.h"

#include <cstring>
#include <limits>
#include <vector>

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "autograd/losses.h"
#include "kernels/cpu/embedding.h"
#include "kernels/cpu/gemm.h"

namespace tessera::codecs {

VqQuantizer::VqQuantizer(const ImageCodecConfig& c, Rng& rng)
    : size_(c.codebook_size),
      dim_(c.code_dim),
      decay_(c.ema_decay),
      threshold_(c.dead_code_threshold),
      commitment_(c.commitment),
      codebook_(randn({c.codebook_size, c.code_dim}, rng)),
      cluster_size_(Tensor::zeros({c.codebook_size})),
      embed_sum_(Tensor::zeros({c.codebook_size, c.code_dim})) {}

nn::NamedTensors VqQuantizer::buffers() const {
  return {{"codebook", codebook_}, {"cluster_size", cluster_size_}, {"embed_sum", embed_sum_}};
}

Tensor VqQuantizer::nearest(const Tensor& rows) const {
  const int64_t n = rows.size(0);
  // ||z - e||^2 = ||z||^2 - 2 z.e + ||e||^2, and ||z||^2 is the same for every code of a row.
  std::vector<float> scores(static_cast<size_t>(n * size_));
  const float* e = codebook_.data<float>();
  kernels::cpu::gemm(false, true, n, size_, dim_, -2.0f, rows.data<float>(), dim_, e, dim_, 0.0f, scores.data(), size_);
  std::vector<float> norms(static_cast<size_t>(size_));
  for (int64_t k = 0; k < size_; ++k) {
    float s = 0;
    for (int64_t j = 0; j < dim_; ++j) s += e[k * dim_ + j] * e[k * dim_ + j];
    norms[k] = s;
  }
  Tensor ids = Tensor::empty({n}, DType::i32);
  int32_t* out = ids.data<int32_t>();
#pragma omp parallel for schedule(static)
  for (int64_t r = 0; r < n; ++r) {
    const float* row = scores.data() + r * size_;
    float best = std::numeric_limits<float>::infinity();
    int32_t best_k = 0;
    for (int64_t k = 0; k < size_; ++k) {
      const float d = row[k] + norms[k];
      if (d < best) best = d, best_k = static_cast<int32_t>(k);
    }
    out[r] = best_k;
  }
  return ids;
}

int64_t VqQuantizer::ema_update(const Tensor& rows, const Tensor& ids, Rng& rng) {
  const int64_t n = rows.size(0);
  const float* z = rows.data<float>();
  const int32_t* id = ids.data<int32_t>();
  std::vector<double> counts(static_cast<size_t>(size_)), sums(static_cast<size_t>(size_ * dim_));
  for (int64_t r = 0; r < n; ++r) {
    counts[id[r]] += 1;
    for (int64_t j = 0; j < dim_; ++j) sums[id[r] * dim_ + j] += z[r * dim_ + j];
  }
  float* cs = cluster_size_.data<float>();
  float* es = embed_sum_.data<float>();
  float* e = codebook_.data<float>();
  int64_t restarted = 0;
  for (int64_t k = 0; k < size_; ++k) {
    cs[k] = decay_ * cs[k] + (1 - decay_) * static_cast<float>(counts[k]);
    for (int64_t j = 0; j < dim_; ++j) {
      es[k * dim_ + j] = decay_ * es[k * dim_ + j] + (1 - decay_) * static_cast<float>(sums[k * dim_ + j]);
    }
    if (cs[k] < threshold_) {
      const float* pick = z + rng.below(n) * dim_;
      for (int64_t j = 0; j < dim_; ++j) es[k * dim_ + j] = pick[j] * threshold_;
      cs[k] = threshold_;
      ++restarted;
    }
    // A code never assigned and never restarted (threshold 0) keeps its place.
    if (cs[k] > 0) {
      for (int64_t j = 0; j < dim_; ++j) e[k * dim_ + j] = es[k * dim_ + j] / cs[k];
    }
  }
  return restarted;
}

void VqQuantizer::keep_codes(const std::vector<int32_t>& kept) {
  const int64_t n = static_cast<int64_t>(kept.size());
  TESSERA_CHECK(n > 0, "VQ codes: keeping none of the ", size_, " codes leaves nothing to quantize to");
  for (int64_t i = 0; i < n; ++i) {
    TESSERA_CHECK(kept[i] >= 0 && kept[i] < size_ && (i == 0 || kept[i] > kept[i - 1]),
                  "VQ codes: the ids to keep must be distinct, increasing and in [0, ", size_, "), found ", kept[i],
                  " at position ", i);
  }
  Tensor codebook = Tensor::empty({n, dim_}), cluster_size = Tensor::empty({n}), embed_sum = Tensor::empty({n, dim_});
  kernels::cpu::embedding_forward(codebook.data<float>(), codebook_.data<float>(), kept.data(), n, dim_);
  kernels::cpu::embedding_forward(embed_sum.data<float>(), embed_sum_.data<float>(), kept.data(), n, dim_);
  kernels::cpu::embedding_forward(cluster_size.data<float>(), cluster_size_.data<float>(), kept.data(), n, 1);
  codebook_ = codebook;
  cluster_size_ = cluster_size;
  embed_sum_ = embed_sum;
  size_ = n;
}

Quantized VqQuantizer::quantize(const Tensor& latents, Rng* training) {
  const int64_t batch = latents.size(0), h = latents.size(2), w = latents.size(3);
  const Tensor rows = latents_to_rows(latents);
  Tensor ids, codes;
  {
    autograd::NoGradGuard no_grad;
    ids = nearest(rows);
    codes = rows_to_latents(lookup_rows(ids), batch, h, w);
  }
  Quantized out;
  out.ids = ids.view({batch, h * w});
  if (training != nullptr) {
    out.loss = scale(mse_loss(latents, codes), commitment_);
    ema_update(rows, ids, *training);
  }
  // Straight through: the values are the codes, the gradient is the latents'.
  Tensor delta;
  {
    autograd::NoGradGuard no_grad;
    delta = codes - latents;
  }
  out.values = latents + delta;
  return out;
}

Tensor VqQuantizer::lookup_rows(const Tensor& ids) const {
  ids.check_dtype(DType::i32, "VQ code ids");
  const int64_t n = ids.numel();
  Tensor rows = Tensor::empty({n, dim_});
  const int32_t* id = ids.data<int32_t>();
  for (int64_t r = 0; r < n; ++r) {
    TESSERA_CHECK(id[r] >= 0 && id[r] < size_, "VQ codes: id ", id[r], " at ", index_str(r, ids.shape()),
                  " is outside [0, ", size_, ")");
    std::memcpy(rows.data<float>() + r * dim_, codebook_.data<float>() + id[r] * dim_, sizeof(float) * dim_);
  }
  return rows;
}

Tensor VqQuantizer::lookup(const Tensor& ids, int64_t grid_height, int64_t grid_width) const {
  return rows_to_latents(lookup_rows(ids), ids.size(0), grid_height, grid_width);
}

}  // namespace tessera::codecs
