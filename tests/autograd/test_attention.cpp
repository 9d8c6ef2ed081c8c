#include <gtest/gtest.h>

#include <string>

#include "autograd/attention.h"
#include "autograd/engine.h"
#include "core/rng.h"
#include "core/threads.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {
namespace {

enum class Mask { none, per_query, per_batch };

// PyTorch 1.13's attention, composed: (B, T, H, D) -> (B, H, T, D), scores, mask,
// softmax, @ v, back. `allowed` is the boolean (Tq, Tk) or (B, 1, Tq, Tk) pattern.
std::string allowed_expr(bool causal, Mask mask) {
  std::string allowed = "torch.ones(q.shape[1], k.shape[1], dtype=torch.bool)";
  if (causal) allowed += ".tril(k.shape[1] - q.shape[1])";  // bottom-right aligned
  if (mask == Mask::per_query) allowed += " & m.bool()";
  if (mask == Mask::per_batch) allowed += " & m.bool()[:, None]";
  return allowed;
}

std::string params(Mask mask) { return mask == Mask::none ? "q, k, v" : "q, k, v, m"; }

std::string scores_expr(const std::string& scale) {
  return "(q.permute(0, 2, 1, 3) @ k.permute(0, 2, 3, 1)) * (" + scale + ")";
}

const std::string kDefaultScale = "q.shape[-1] ** -0.5";

std::string torch_attention(bool causal, Mask mask = Mask::none, const std::string& scale = kDefaultScale) {
  return "lambda " + params(mask) + ": (lambda s, a: (torch.softmax(s.masked_fill(~a, float('-inf')), -1) @ " +
         "v.permute(0, 2, 1, 3)).permute(0, 2, 1, 3))(" + scores_expr(scale) + ", " + allowed_expr(causal, mask) + ")";
}

// PyTorch gives NaN for a query allowed no key (softmax over nothing) and NaN gradients
// everywhere after it. The same composition with such rows' scores replaced by zeros and
// their probabilities multiplied by 0 is the semantics we promise: zeros, no gradient.
std::string torch_attention_empty_rows_zero(bool causal, Mask mask) {
  return "lambda " + params(mask) + ": (lambda s, a: ((torch.softmax(torch.where(a.any(-1, keepdim=True), " +
         "s.masked_fill(~a, float('-inf')), 0.0 * s), -1) * a.any(-1, keepdim=True)) @ " +
         "v.permute(0, 2, 1, 3)).permute(0, 2, 1, 3))(" + scores_expr(kDefaultScale) + ", " +
         allowed_expr(causal, mask) + ")";
}

Tensor run(const Inputs& in, bool causal, float scale = 0.0f) {
  return scaled_dot_product_attention(in[0], in[1], in[2], causal, in.size() > 3 ? in[3] : Tensor(), scale);
}

// q (B, Tq, H, D), k and v (B, Tk, H, D), all gradient-checked.
std::vector<InputSpec> qkv(int64_t B, int64_t Tq, int64_t Tk, int64_t H, int64_t D) {
  return {randn({B, Tq, H, D}), randn({B, Tk, H, D}), randn({B, Tk, H, D})};
}

// A random u8 mask, (Tq, Tk) or (B, Tq, Tk), about half allowed, where every query
// keeps at least the last key that causal masking lets it see.
Tensor random_mask(Shape shape, uint64_t seed) {
  Rng rng(seed);
  Tensor mask = Tensor::empty(shape, DType::u8);
  const int64_t Tq = shape[shape.size() - 2], Tk = shape.back();
  uint8_t* m = mask.data<uint8_t>();
  for (int64_t r = 0; r < mask.numel() / Tk; ++r) {
    for (int64_t j = 0; j < Tk; ++j) m[r * Tk + j] = rng.uniform() < 0.5f;
    m[r * Tk + (Tk - Tq + r % Tq)] = 1;
  }
  return mask;
}

std::vector<InputSpec> with_mask(std::vector<InputSpec> specs, Tensor mask) {
  specs.push_back(given(std::move(mask)));
  return specs;
}

// Sizes around the 64-wide tiles (1, 3, 17, 65, 130), D a multiple of the 16-column
// groups and not (24), batch and heads > 1.
const std::vector<std::vector<InputSpec>> kSquareCases = {
    qkv(1, 1, 1, 1, 16), qkv(2, 3, 3, 2, 24), qkv(1, 17, 17, 3, 64), qkv(2, 65, 65, 2, 16), qkv(1, 130, 130, 2, 24),
};

TEST(Attention, FullMatchesTorch) {
  check_op(torch_attention(false), kSquareCases, [](const Inputs& in) { return run(in, false); });
}

TEST(Attention, CausalMatchesTorch) {
  check_op(torch_attention(true), kSquareCases, [](const Inputs& in) { return run(in, true); });
}

TEST(Attention, LongerKeysThanQueriesBottomRightCausal) {
  const std::vector<std::vector<InputSpec>> cases = {qkv(2, 1, 65, 2, 16), qkv(1, 17, 65, 2, 24),
                                                     qkv(1, 65, 130, 1, 64)};
  check_op(torch_attention(true), cases, [](const Inputs& in) { return run(in, true); });
  check_op(torch_attention(false), cases, [](const Inputs& in) { return run(in, false); });
}

TEST(Attention, CustomScale) {
  check_op(torch_attention(true, Mask::none, "0.3"), {qkv(2, 17, 17, 2, 24), qkv(1, 3, 65, 2, 64)},
           [](const Inputs& in) { return run(in, true, 0.3f); });
  // A negative scale flips which products are large; banned keys must still get nothing.
  check_op(torch_attention(true, Mask::per_query, "-0.3"),
           {with_mask(qkv(1, 17, 65, 2, 16), random_mask({17, 65}, 12))},
           [](const Inputs& in) { return run(in, true, -0.3f); });
}

TEST(Attention, PerQueryMaskAndedWithCausal) {
  const std::vector<std::vector<InputSpec>> cases = {with_mask(qkv(2, 17, 17, 2, 24), random_mask({17, 17}, 1)),
                                                     with_mask(qkv(1, 17, 65, 2, 16), random_mask({17, 65}, 2)),
                                                     with_mask(qkv(1, 130, 130, 2, 64), random_mask({130, 130}, 3))};
  check_op(torch_attention(false, Mask::per_query), cases, [](const Inputs& in) { return run(in, false); });
  check_op(torch_attention(true, Mask::per_query), cases, [](const Inputs& in) { return run(in, true); });
}

TEST(Attention, PerBatchMaskAndedWithCausal) {
  const std::vector<std::vector<InputSpec>> cases = {with_mask(qkv(3, 17, 17, 2, 24), random_mask({3, 17, 17}, 4)),
                                                     with_mask(qkv(2, 65, 130, 2, 16), random_mask({2, 65, 130}, 5))};
  check_op(torch_attention(false, Mask::per_batch), cases, [](const Inputs& in) { return run(in, false); });
  check_op(torch_attention(true, Mask::per_batch), cases, [](const Inputs& in) { return run(in, true); });
}

// Query 2 of batch entry 1 may attend to nothing; with causal and Tq > Tk, so may the
// first Tq - Tk queries of every entry.
TEST(Attention, QueriesAllowedNoKeyGiveZerosAndNoGradient) {
  Tensor mask = random_mask({2, 17, 65}, 6);
  std::fill_n(mask.data<uint8_t>() + (17 + 2) * 65, 65, uint8_t{0});
  check_op(torch_attention_empty_rows_zero(false, Mask::per_batch), {with_mask(qkv(2, 17, 65, 2, 24), mask)},
           [](const Inputs& in) { return run(in, false); });
  check_op(torch_attention_empty_rows_zero(true, Mask::none), {qkv(2, 70, 65, 2, 16)},
           [](const Inputs& in) { return run(in, true); });

  Rng rng(8);
  Tensor q = randn({2, 17, 2, 24}, rng), k = randn({2, 65, 2, 24}, rng), v = randn({2, 65, 2, 24}, rng);
  q.set_requires_grad(true);
  Tensor out = scaled_dot_product_attention(q, k, v, false, mask);
  autograd::backward(out, randn(out.shape(), rng));
  const float* o = out.data<float>();
  const float* dq = q.grad().data<float>();
  const int64_t row = 2 * 24, masked = (17 + 2) * row;  // batch 1, query 2, both heads
  for (int64_t i = masked; i < masked + row; ++i) {
    EXPECT_EQ(o[i], 0.0f) << "output element " << i;
    EXPECT_EQ(dq[i], 0.0f) << "dq element " << i;
  }
}

// Every output and gradient element is computed by one thread in a fixed order.
TEST(Attention, ResultsDoNotDependOnTheThreadCount) {
  Rng rng(9);
  const Tensor q = randn({2, 130, 3, 24}, rng), k = randn({2, 130, 3, 24}, rng), v = randn({2, 130, 3, 24}, rng);
  const Tensor upstream = randn(q.shape(), rng), mask = random_mask({2, 130, 130}, 10);
  const int previous = num_threads();
  std::vector<std::vector<float>> results[2];
  for (int pass = 0; pass < 2; ++pass) {
    set_num_threads(pass == 0 ? 1 : 3);
    Inputs in = {q.clone(), k.clone(), v.clone()};
    for (Tensor& t : in) t.set_requires_grad(true);
    Tensor out = scaled_dot_product_attention(in[0], in[1], in[2], true, mask);
    autograd::backward(out, upstream);
    results[pass] = {out.to_vector(), in[0].grad().to_vector(), in[1].grad().to_vector(), in[2].grad().to_vector()};
  }
  set_num_threads(previous);
  EXPECT_EQ(results[0], results[1]);
}

TEST(Attention, InferenceMatchesRecordedForward) {
  Rng rng(11);
  Tensor q = randn({1, 17, 2, 16}, rng), k = randn({1, 65, 2, 16}, rng), v = randn({1, 65, 2, 16}, rng);
  q.set_requires_grad(true);
  const std::vector<float> recorded = scaled_dot_product_attention(q, k, v, true).to_vector();
  autograd::NoGradGuard no_grad;
  EXPECT_EQ(scaled_dot_product_attention(q, k, v, true).to_vector(), recorded);
}

// No keys: every query attends to nothing. No queries: nothing to compute.
TEST(Attention, EmptySequences) {
  Rng rng(13);
  Tensor q = randn({2, 3, 2, 16}, rng), none = Tensor::zeros({2, 0, 2, 16});
  q.set_requires_grad(true);
  Tensor out = scaled_dot_product_attention(q, none, none, true);
  autograd::backward(out, randn(out.shape(), rng));
  for (float x : out.to_vector()) EXPECT_EQ(x, 0.0f);
  for (float x : q.grad().to_vector()) EXPECT_EQ(x, 0.0f);
  EXPECT_EQ(scaled_dot_product_attention(none, q, q, false).shape(), none.shape());
}

TEST(Attention, MismatchedShapesNameThem) {
  const Tensor q = Tensor::zeros({2, 5, 3, 8});
  expect_error(
      [&] {
        scaled_dot_product_attention(q, Tensor::zeros({2, 6, 3, 16}), Tensor::zeros({2, 6, 3, 16}), false);
      },
      {"(2, 5, 3, 8)", "(2, 6, 3, 16)"});
  expect_error(
      [&] {
        scaled_dot_product_attention(q, Tensor::zeros({2, 6, 3, 8}), Tensor::zeros({2, 7, 3, 8}), false);
      },
      {"(2, 6, 3, 8)", "(2, 7, 3, 8)"});
  expect_error(
      [&] {
        scaled_dot_product_attention(q, Tensor::zeros({1, 6, 3, 8}), Tensor::zeros({1, 6, 3, 8}), true);
      },
      {"(2, 5, 3, 8)", "(1, 6, 3, 8)"});
  expect_error(
      [&] {
        scaled_dot_product_attention(Tensor::zeros({5, 8}), Tensor::zeros({6, 8}), Tensor::zeros({6, 8}), true);
      },
      {"(B, Tq, H, D)", "(5, 8)"});
}

TEST(Attention, MaskOfWrongShapeOrDtype) {
  const Tensor q = Tensor::zeros({2, 5, 3, 8}), kv = Tensor::zeros({2, 6, 3, 8});
  expect_error(
      [&] {
        scaled_dot_product_attention(q, kv, kv, false, Tensor::zeros({5, 7}, DType::u8));
      },
      {"mask of shape (5, 7)", "(5, 6)", "(2, 5, 6)"});
  expect_error(
      [&] {
        scaled_dot_product_attention(q, kv, kv, false, Tensor::zeros({3, 5, 6}, DType::u8));
      },
      {"mask of shape (3, 5, 6)", "(2, 5, 6)"});
  expect_error([&] { scaled_dot_product_attention(q, kv, kv, false, Tensor::zeros({5, 6})); }, {"mask", "u8", "f32"});
}

}  // namespace
}  // namespace tessera::testing
