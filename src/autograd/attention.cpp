#include "autograd/attention.h"

#include <cmath>

#include "autograd/engine.h"
#include "autograd/op_checks.h"
#include "kernels/cpu/attention.h"

namespace tessera {

namespace {

constexpr const char* kOp = "scaled_dot_product_attention";

kernels::cpu::AttentionParams checked_params(const Tensor& q, const Tensor& k, const Tensor& v, bool causal,
                                             const Tensor& mask, float scale) {
  check_float_op(kOp, {q, k, v});
  const auto shapes = [&] {
    return str("q ", shape_str(q.shape()), ", k ", shape_str(k.shape()), ", v ", shape_str(v.shape()));
  };
  TESSERA_CHECK(q.ndim() == 4 && k.ndim() == 4 && v.ndim() == 4, kOp,
                ": expected q (B, Tq, H, D) and k, v (B, Tk, H, D), found ", shapes());
  TESSERA_CHECK(k.shape() == v.shape() && q.size(0) == k.size(0) && q.size(2) == k.size(2) && q.size(3) == k.size(3),
                kOp, ": shapes do not match, found ", shapes(),
                " (need q (B, Tq, H, D) and k, v (B, Tk, H, D) with the same B, H, D)");
  TESSERA_CHECK(q.size(3) > 0, kOp, ": head dimension D must be positive, found ", shapes());
  kernels::cpu::AttentionParams p;
  p.batch = q.size(0);
  p.q_len = q.size(1);
  p.kv_len = k.size(1);
  p.heads = q.size(2);
  p.head_dim = q.size(3);
  p.causal = causal;
  p.scale = scale != 0.0f ? scale : 1.0f / std::sqrt(static_cast<float>(p.head_dim));
  if (mask.defined()) {
    mask.check_dtype(DType::u8, "scaled_dot_product_attention mask");
    const Shape per_query{p.q_len, p.kv_len}, per_batch{p.batch, p.q_len, p.kv_len};
    TESSERA_CHECK(mask.shape() == per_query || mask.shape() == per_batch, kOp, ": mask of shape ",
                  shape_str(mask.shape()), " does not fit ", shapes(), " (need (Tq, Tk) = ", shape_str(per_query),
                  " or (B, Tq, Tk) = ", shape_str(per_batch), ")");
    p.mask = mask.data<uint8_t>();
    p.mask_batch_stride = mask.ndim() == 3 ? p.q_len * p.kv_len : 0;
  }
  return p;
}

}  // namespace

Tensor scaled_dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, bool causal, const Tensor& mask,
                                    float scale) {
  const kernels::cpu::AttentionParams p = checked_params(q, k, v, causal, mask, scale);
  Tensor out = Tensor::empty(q.shape());
  // The log-sum-exp of every query's scores: all the backward keeps of the softmax.
  const bool recording = autograd::needs_recording({q, k, v});
  Tensor lse = recording ? Tensor::empty({p.batch, p.heads, p.q_len}) : Tensor();
  kernels::cpu::attention_forward(p, q.data<float>(), k.data<float>(), v.data<float>(), out.data<float>(),
                                  recording ? lse.data<float>() : nullptr);
  // The closure keeps the mask tensor alive, since p points into it.
  autograd::record(kOp, {q, k, v}, out, [q, k, v, mask, lse, p](const Tensor& output, const Tensor& dout) {
    Tensor dq = Tensor::empty(q.shape()), dk = Tensor::empty(k.shape()), dv = Tensor::empty(v.shape());
    kernels::cpu::attention_backward(p, q.data<float>(), k.data<float>(), v.data<float>(), output.data<float>(),
                                     lse.data<float>(), dout.data<float>(), dq.data<float>(), dk.data<float>(),
                                     dv.data<float>());
    if (q.requires_grad()) autograd::accumulate_grad(q, dq);
    if (k.requires_grad()) autograd::accumulate_grad(k, dk);
    if (v.requires_grad()) autograd::accumulate_grad(v, dv);
  });
  return out;
}

}  // namespace tessera
