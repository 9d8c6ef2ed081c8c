// The autograd engine itself: accumulation, graph shapes, grad mode, errors, memory.
// Besides matmul/linear it uses three small ops recorded here, each with the gradient
// hand-off an op may choose: a new buffer, or the upstream gradient itself.
#include <gtest/gtest.h>

#include <thread>

#include "autograd/engine.h"
#include "autograd/matmul.h"
#include "core/rng.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera {
namespace {

// out = s * x; the backward hands x a new buffer s * grad_out.
Tensor scaled(const Tensor& x, float s) {
  Tensor out = Tensor::empty(x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) out.data<float>()[i] = s * x.data<float>()[i];
  autograd::record("scaled", {x}, out, [x, s](const Tensor&, const Tensor& grad_out) {
    Tensor grad = Tensor::empty(x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) grad.data<float>()[i] = s * grad_out.data<float>()[i];
    autograd::accumulate_grad(x, grad);
  });
  return out;
}

// out = a + b; the backward hands grad_out itself to both inputs, so one buffer becomes
// the gradient of two tensors: the engine must never add into it in place.
Tensor added(const Tensor& a, const Tensor& b) {
  Tensor out = Tensor::empty(a.shape());
  for (int64_t i = 0; i < a.numel(); ++i) out.data<float>()[i] = a.data<float>()[i] + b.data<float>()[i];
  autograd::record("added", {a, b}, out, [a, b](const Tensor&, const Tensor& grad_out) {
    autograd::accumulate_grad(a, grad_out);
    autograd::accumulate_grad(b, grad_out);
  });
  return out;
}

// The sum of all elements, a one-element tensor.
Tensor summed(const Tensor& x) {
  float total = 0;
  for (float v : x.to_vector()) total += v;
  Tensor out = Tensor::scalar(total);
  autograd::record("summed", {x}, out, [x](const Tensor&, const Tensor& grad_out) {
    autograd::accumulate_grad(x, Tensor::full(x.shape(), grad_out.item()));
  });
  return out;
}

Tensor leaf(const Shape& shape, Rng& rng) { return randn(shape, rng).set_requires_grad(true); }

void expect_values(const Tensor& t, const std::vector<float>& expected, const std::string& why = "") {
  ASSERT_TRUE(t.defined()) << why;
  const std::vector<float> got = t.to_vector();
  ASSERT_EQ(got.size(), expected.size()) << why;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-5f) << "element " << i << " " << why;
}

std::vector<float> times(const Tensor& t, float s) {
  std::vector<float> out = t.to_vector();
  for (float& v : out) v *= s;
  return out;
}

TEST(Engine, GradientsAccumulateAcrossBackwardCalls) {
  Rng rng(1);
  Tensor x = randn({3, 17}, rng), w = leaf({17, 5}, rng);
  autograd::backward(summed(matmul(x, w)));
  const Tensor once = w.grad().clone();
  autograd::backward(summed(matmul(x, w)));  // a second graph
  expect_values(w.grad(), times(once, 2));
  const Tensor loss = summed(matmul(x, w));
  autograd::backward(loss);
  autograd::backward(loss);  // the same graph twice
  expect_values(w.grad(), times(once, 4));
}

TEST(Engine, ZeroGradStartsTheNextBackwardAfresh) {
  Rng rng(2);
  Tensor x = randn({4, 3}, rng), w = leaf({5, 3}, rng), b = leaf({5}, rng);
  autograd::backward(summed(linear(x, w, b)));
  const Tensor w_once = w.grad().clone(), b_once = b.grad().clone();
  w.zero_grad();
  EXPECT_FALSE(w.grad().defined());
  autograd::backward(summed(linear(x, w, b)));
  expect_values(w.grad(), w_once.to_vector());
  expect_values(b.grad(), times(b_once, 2), "the bias was not zeroed");
  expect_values(b_once, std::vector<float>(5, 4.0f), "d sum / d bias = the 4 rows");
}

// y feeds two branches that meet again: dL/dy is the sum over both paths (2 + 3).
TEST(Engine, ATensorUsedTwiceGetsTheSummedGradient) {
  Rng rng(3);
  Tensor x = randn({2, 3}, rng), w = leaf({4, 3}, rng);
  const Tensor y = linear(x, w);
  autograd::backward(summed(added(scaled(y, 2), scaled(y, 3))));
  // d sum(5 y) / dW[j, k] = 5 * sum_r x[r, k]
  std::vector<float> expected(12);
  for (int j = 0; j < 4; ++j)
    for (int k = 0; k < 3; ++k) expected[j * 3 + k] = 5 * (x.data<float>()[k] + x.data<float>()[3 + k]);
  expect_values(w.grad(), expected);

  Tensor v = leaf({3}, rng);
  autograd::backward(summed(added(v, v)));  // one op, the same input twice
  expect_values(v.grad(), {2, 2, 2});
}

TEST(Engine, MatmulOfATensorWithItselfMatchesTorch) {
  testing::check_op("lambda a: a @ a", {{testing::randn({3, 3})}, {testing::randn({17, 17})}},
                    [](const testing::Inputs& in) { return matmul(in[0], in[0]); });
}

TEST(Engine, NoGradGuardRecordsNothingAndRestoresTheMode) {
  Rng rng(4);
  Tensor x = randn({2, 3}, rng), w = leaf({3, 3}, rng);
  EXPECT_TRUE(autograd::grad_enabled());
  {
    autograd::NoGradGuard outer;
    EXPECT_FALSE(autograd::grad_enabled());
    const Tensor y = matmul(x, w);
    EXPECT_FALSE(y.requires_grad());
    EXPECT_EQ(y.grad_fn(), nullptr);
    EXPECT_FALSE(autograd::needs_recording({w}));
    { autograd::NoGradGuard inner; }
    EXPECT_FALSE(autograd::grad_enabled()) << "an inner guard restores the outer one's mode";
    expect_error([&] { autograd::backward(summed(y)); }, {"does not require a gradient"});
  }
  EXPECT_TRUE(autograd::grad_enabled());
  const Tensor y = matmul(x, w);
  EXPECT_TRUE(y.requires_grad());
  ASSERT_NE(y.grad_fn(), nullptr);
  EXPECT_EQ(y.grad_fn()->name, "matmul");
  EXPECT_FALSE(w.grad().defined()) << "nothing ran backward";
}

TEST(Engine, OpsOnTensorsNotRequiringGradRecordNothing) {
  Rng rng(5);
  const Tensor y = matmul(randn({2, 3}, rng), randn({3, 2}, rng));
  EXPECT_FALSE(y.requires_grad());
  EXPECT_EQ(y.grad_fn(), nullptr);
  EXPECT_TRUE(y.is_leaf());
}

TEST(Engine, BackwardOnATensorNotRequiringGradIsAnError) {
  expect_error([] { autograd::backward(Tensor::scalar(1)); },
               {"backward", "does not require a gradient", "requires_grad", "NoGradGuard"});
}

TEST(Engine, BackwardOfANonScalarNeedsAnUpstreamGradient) {
  Rng rng(6);
  Tensor w = leaf({3, 5}, rng);
  const Tensor y = matmul(randn({2, 3}, rng), w);
  expect_error([&] { autograd::backward(y); }, {"one element", "(2, 5)", "upstream gradient"});
  expect_error([&] { autograd::backward(y, Tensor::zeros({5, 2})); }, {"(5, 2)", "(2, 5)"});
  expect_error([&] { autograd::backward(y, Tensor::zeros({2, 5}, DType::i32)); }, {"f32", "i32"});
  expect_error([&] { autograd::backward(y, Tensor()); }, {"undefined"});
  EXPECT_FALSE(w.grad().defined()) << "a refused backward changes nothing";
  autograd::backward(y, Tensor::full({2, 5}, 1));
  EXPECT_TRUE(w.grad().defined());
}

TEST(Engine, BackwardFromALeafSetsItsGradient) {
  Tensor w = Tensor::zeros({2}).set_requires_grad(true);
  const Tensor upstream = Tensor::from_vector(std::vector<float>{1, 2}, {2});
  autograd::backward(w, upstream);
  expect_values(w.grad(), {1, 2});
  autograd::backward(w, upstream);
  expect_values(w.grad(), {2, 4});
  expect_values(upstream, {1, 2}, "the caller's upstream gradient is never written");
}

// Each output holds its node and each node its inputs, never the other way round, so the
// graph goes away with the last tensor that needs it.
TEST(Engine, TheGraphIsFreedWhenItsTensorsGoAway) {
  Rng rng(7);
  Tensor x = randn({2, 3}, rng), w1 = leaf({4, 3}, rng), w2 = leaf({4, 2}, rng);
  std::weak_ptr<TensorImpl> hidden, output;
  std::weak_ptr<autograd::Node> hidden_node, loss_node;
  {
    const Tensor h = linear(x, w1);
    const Tensor loss = summed(matmul(h, w2));
    hidden = h.impl_ptr();
    output = loss.impl_ptr();
    hidden_node = h.grad_fn();
    loss_node = loss.grad_fn();
    autograd::backward(loss);
    EXPECT_FALSE(hidden.expired());
  }
  EXPECT_TRUE(hidden.expired());
  EXPECT_TRUE(output.expired());
  EXPECT_TRUE(hidden_node.expired());
  EXPECT_TRUE(loss_node.expired());
  EXPECT_TRUE(w1.grad().defined()) << "leaves keep their gradients";
  EXPECT_EQ(w1.impl_ptr().use_count(), 1) << "no node still holds the parameter";

  {  // a graph that never ran backward goes the same way
    const Tensor h = linear(x, w1);
    hidden_node = h.grad_fn();
  }
  EXPECT_TRUE(hidden_node.expired());
}

// Intermediate gradients are dropped as soon as their node has run.
TEST(Engine, IntermediateGradientsAreNotKept) {
  Rng rng(8);
  Tensor w = leaf({3, 3}, rng);
  const Tensor h = matmul(randn({2, 3}, rng), w);
  autograd::backward(summed(h));
  EXPECT_FALSE(h.grad().defined());
}

// One upstream buffer becomes the gradient of several tensors by reference; every later
// addition must go to a copy, leaving the shared buffer (and the caller's) as it was.
TEST(Engine, ASharedGradientBufferIsNeverMutatedInPlace) {
  Tensor x = Tensor::from_vector(std::vector<float>{1, 2, 3}, {3}).set_requires_grad(true);
  Tensor p = Tensor::zeros({3}).set_requires_grad(true);
  const Tensor upstream = Tensor::from_vector(std::vector<float>{10, 20, 30}, {3});
  // Both branches of `added` and then both inputs of the outer `added` receive `upstream`.
  const Tensor a = added(x, p), b = added(x, p);
  autograd::backward(added(a, b), upstream);
  expect_values(upstream, {10, 20, 30});
  expect_values(x.grad(), {20, 40, 60});
  expect_values(p.grad(), {20, 40, 60});
  EXPECT_FALSE(x.grad().shares_storage_with(upstream));
  EXPECT_FALSE(x.grad().shares_storage_with(p.grad()));
  EXPECT_TRUE(x.grad_owned());

  Tensor q = Tensor::zeros({3}).set_requires_grad(true);
  autograd::backward(added(q, Tensor::zeros({3})), upstream);
  EXPECT_TRUE(q.grad().shares_storage_with(upstream)) << "a first gradient arrives by reference";
  EXPECT_FALSE(q.grad_owned());
  autograd::backward(added(q, Tensor::zeros({3})), upstream);
  expect_values(q.grad(), {20, 40, 60});
  expect_values(upstream, {10, 20, 30}, "the second addition went to a copy");
}

// A backward that fails partway must not leave gradients on intermediates, where the
// next backward would add to them.
TEST(Engine, AFailedBackwardLeavesNoStaleIntermediateGradients) {
  bool fail_once = true;
  Tensor x = Tensor::full({2}, 1).set_requires_grad(true);
  const Tensor y = scaled(x, 2);
  Tensor z = Tensor::empty({2});
  for (int i = 0; i < 2; ++i) z.data<float>()[i] = y.data<float>()[i];
  autograd::record("fails_once", {y}, z, [y, &fail_once](const Tensor&, const Tensor& grad_out) {
    if (fail_once) {
      fail_once = false;
      fail("fails_once: the backward failed");
    }
    autograd::accumulate_grad(y, grad_out);
  });
  const Tensor loss = summed(added(z, y));
  expect_error([&] { autograd::backward(loss); }, {"fails_once: the backward failed"});
  EXPECT_FALSE(y.grad().defined()) << "the intermediate's gradient was cleared";
  x.zero_grad();
  autograd::backward(loss);
  expect_values(x.grad(), {4, 4});  // d sum(2 * (2x)) / dx, as if the failure never happened
}

// Recording order decides the backward order, so it must be one order for the whole
// process, not one per thread.
TEST(Engine, GraphsRecordedOnSeveralThreadsRunInOrder) {
  Tensor x = Tensor::full({3}, 1).set_requires_grad(true);
  Tensor chain = x;
  for (int i = 0; i < 5; ++i) chain = scaled(chain, 2);
  Tensor tail;
  std::thread([&] { tail = scaled(chain, 3); }).join();
  autograd::backward(summed(tail));
  expect_values(x.grad(), {96, 96, 96});  // 3 * 2^5
}

// Long chains (many small ops) must neither recurse in backward nor when freed.
TEST(Engine, LongChainsRunAndFreeWithoutDeepRecursion) {
  Tensor x = Tensor::full({1}, 1).set_requires_grad(true);
  std::weak_ptr<autograd::Node> first;
  {
    Tensor chain = scaled(x, 1);
    first = chain.grad_fn();
    for (int i = 0; i < 200000; ++i) chain = scaled(chain, 1);
    autograd::backward(summed(chain));
  }
  EXPECT_TRUE(first.expired());
  expect_values(x.grad(), {1});
}

TEST(Engine, AccumulateGradChecksTheShape) {
  Tensor w = Tensor::zeros({2, 3}).set_requires_grad(true);
  expect_error([&] { autograd::accumulate_grad(w, Tensor::zeros({3, 2})); }, {"(3, 2)", "(2, 3)"});
  autograd::accumulate_grad(Tensor::zeros({2}), Tensor::zeros({5}));  // no gradient wanted: ignored
}

}  // namespace
}  // namespace tessera
