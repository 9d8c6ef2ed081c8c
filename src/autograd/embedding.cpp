#include "autograd/embedding.h"

#include <string>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/embedding.h"

namespace tessera {

Tensor embedding(const Tensor& weight, const Tensor& ids) {
  check_float_op("embedding", {weight});
  TESSERA_CHECK(ids.defined(), "embedding: the ids tensor is undefined");
  ids.check_dtype(DType::i32, "embedding ids");
  TESSERA_CHECK(weight.ndim() == 2, "embedding: weight must be (V, C), found shape ", shape_str(weight.shape()));
  const int64_t vocab = weight.size(0), channels = weight.size(1), n = ids.numel();
  const int32_t* id = ids.data<int32_t>();
  const int64_t bad = kernels::cpu::first_invalid_id(id, n, vocab);
  TESSERA_CHECK(bad < 0, "embedding: id ", bad < 0 ? 0 : id[bad], " at position ", index_str(bad, ids.shape()),
                " of ids ", shape_str(ids.shape()), " is out of range for V = ", vocab, " (need 0 <= id < ", vocab,
                ")");
  Shape out_shape = ids.shape();
  out_shape.push_back(channels);
  Tensor out = Tensor::empty(out_shape);
  kernels::cpu::embedding_forward(out.data<float>(), weight.data<float>(), id, n, channels);
  autograd::record("embedding", {weight, ids}, out, [weight, ids, vocab, channels](const Tensor&, const Tensor& grad) {
    Tensor gw = Tensor::empty(weight.shape());
    kernels::cpu::embedding_backward(gw.data<float>(), grad.data<float>(), ids.data<int32_t>(), ids.numel(), vocab,
                                     channels);
    autograd::accumulate_grad(weight, gw);
  });
  return out;
}

}  // namespace tessera
