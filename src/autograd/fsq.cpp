#include "autograd/fsq.h"

#include <cmath>
#include <limits>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/fsq.h"

namespace tessera {

namespace cpu = kernels::cpu;

namespace {

std::string levels_str(const std::vector<int32_t>& levels) {
  std::string out = "[";
  for (size_t i = 0; i < levels.size(); ++i) out += (i ? ", " : "") + std::to_string(levels[i]);
  return out + "]";
}

// The vectors of a (..., d) tensor: returns the row count.
int64_t check_vectors(const char* op, const Tensor& t, const std::vector<int32_t>& levels) {
  fsq_codebook_size(levels, op);
  const int64_t d = static_cast<int64_t>(levels.size());
  TESSERA_CHECK(t.ndim() >= 1 && t.size(-1) == d, op, ": input of shape ", shape_str(t.shape()), " must end in the ", d,
                " channels of levels ", levels_str(levels));
  return t.numel() / d;
}

}  // namespace

int64_t fsq_codebook_size(const std::vector<int32_t>& levels, const char* what) {
  TESSERA_CHECK(!levels.empty(), what, ": levels are empty; need one level count per channel");
  int64_t size = 1;
  for (size_t i = 0; i < levels.size(); ++i) {
    TESSERA_CHECK(levels[i] >= 2, what, ": levels ", levels_str(levels), " must each be at least 2, found ", levels[i],
                  " at index ", i);
    size *= levels[i];
    TESSERA_CHECK(size <= std::numeric_limits<int32_t>::max(), what, ": levels ", levels_str(levels),
                  " make more codes than i32 ids can hold");
  }
  return size;
}

Tensor fsq(const Tensor& z, const std::vector<int32_t>& levels) {
  check_float_op("fsq", {z});
  const int64_t rows = check_vectors("fsq", z, levels), d = static_cast<int64_t>(levels.size());
  Tensor out = Tensor::empty(z.shape());
  cpu::fsq_forward(out.data<float>(), z.data<float>(), levels.data(), rows, d);
  autograd::record("fsq", {z}, out, [z, levels, rows, d](const Tensor&, const Tensor& dout) {
    Tensor dz = Tensor::empty(z.shape());
    cpu::fsq_backward(dz.data<float>(), dout.data<float>(), z.data<float>(), levels.data(), rows, d);
    autograd::accumulate_grad(z, dz);
  });
  return out;
}

namespace {

// The no-gradient elementwise maps of fsq_bounded and fsq_nearest.
Tensor fsq_map(const char* op, const Tensor& x, const std::vector<int32_t>& levels,
               void (*kernel)(float*, const float*, const int32_t*, int64_t, int64_t)) {
  check_float_op(op, {x});
  TESSERA_CHECK(!autograd::needs_recording({x}), op,
                ": has no gradient, but its input requires one; call it under autograd::NoGradGuard");
  const int64_t rows = check_vectors(op, x, levels);
  Tensor out = Tensor::empty(x.shape());
  kernel(out.data<float>(), x.data<float>(), levels.data(), rows, static_cast<int64_t>(levels.size()));
  return out;
}

}  // namespace

Tensor fsq_bounded(const Tensor& z, const std::vector<int32_t>& levels) {
  return fsq_map("fsq_bounded", z, levels, cpu::fsq_bound);
}

Tensor fsq_nearest(const Tensor& u, const std::vector<int32_t>& levels) {
  return fsq_map("fsq_nearest", u, levels, cpu::fsq_nearest);
}

Tensor codes_from_fsq(const Tensor& quantized, const std::vector<int32_t>& levels) {
  check_float_op("codes_from_fsq", {quantized});
  const int64_t rows = check_vectors("codes_from_fsq", quantized, levels), d = static_cast<int64_t>(levels.size());
  Shape shape = quantized.shape();
  shape.pop_back();
  Tensor ids = Tensor::empty(shape, DType::i32);
  const int64_t bad = cpu::fsq_codes(ids.data<int32_t>(), quantized.data<float>(), levels.data(), rows, d);
  TESSERA_CHECK(bad < 0 || std::isfinite(quantized.data<float>()[bad]), "codes_from_fsq: value ",
                quantized.data<float>()[bad], " at ", index_str(bad, quantized.shape()), " of input of shape ",
                shape_str(quantized.shape()), " is not finite (the values reaching the quantizer overflowed)");
  TESSERA_CHECK(bad < 0, "codes_from_fsq: value ", quantized.data<float>()[bad], " at ",
                index_str(bad, quantized.shape()), " of input of shape ", shape_str(quantized.shape()),
                " is not one of the ", levels[bad % d], " levels of channel ", bad % d, " (levels ", levels_str(levels),
                ")");
  return ids;
}

Tensor fsq_from_codes(const Tensor& ids, const std::vector<int32_t>& levels) {
  TESSERA_CHECK(ids.defined(), "fsq_from_codes: the ids tensor is undefined");
  ids.check_dtype(DType::i32, "fsq_from_codes ids");
  const int64_t codebook = fsq_codebook_size(levels, "fsq_from_codes"), d = static_cast<int64_t>(levels.size());
  Shape shape = ids.shape();
  shape.push_back(d);
  Tensor out = Tensor::empty(shape);
  const int64_t bad = cpu::fsq_values(out.data<float>(), ids.data<int32_t>(), levels.data(), ids.numel(), d);
  TESSERA_CHECK(bad < 0, "fsq_from_codes: id ", ids.data<int32_t>()[bad], " at ", index_str(bad, ids.shape()),
                " is outside [0, ", codebook, ") for levels ", levels_str(levels));
  return out;
}

}  // namespace tessera
