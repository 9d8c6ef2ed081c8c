// Negative controls for the one-line op test (support/op_check.h): a check that cannot
// fail proves nothing. It must reject a Tessera gradient that is slightly wrong and a
// PyTorch reference that is slightly wrong, and its finite-difference stage must reject a
// wrong gradient on its own, when PyTorch has been made to agree with it. Each negative
// control runs beside its positive twin, the same call with the perturbation at zero, so
// the perturbation is what fails it.
//
// The tolerances are Tolerance's defaults: forward 1e-5 and gradients 1e-4, each
// max |ours - torch| / max |torch|; finite differences 1e-2 of |grad| |v|, v random.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autograd/elementwise.h"
#include "autograd/engine.h"
#include "support/op_check.h"

namespace tessera::testing {

namespace {

// One part in a thousand: ten times the gradient tolerance, a hundred times the forward's.
constexpr double kPerturbation = 1e-3;

std::vector<std::vector<InputSpec>> product_cases() {
  return {{randn({3, 17}), randn({3, 17})}, {randn({2, 5, 65}), randn({2, 5, 65})}};
}

using GradTamper = std::function<void(std::vector<float>&)>;

// a * b (equal shapes) with an exact forward and a backward whose gradient of b passes
// through `tamper`, as an op with a bug in its backward would compute it.
Tensor product_with_tampered_grad(const Tensor& a, const Tensor& b, const GradTamper& tamper) {
  const std::vector<float> x = a.to_vector(), y = b.to_vector();
  std::vector<float> product(x.size());
  for (size_t i = 0; i < x.size(); ++i) product[i] = x[i] * y[i];
  Tensor out = Tensor::from_vector(product, a.shape());
  autograd::record("tampered_product", {a, b}, out, [a, b, tamper](const Tensor&, const Tensor& grad) {
    const std::vector<float> g = grad.to_vector(), x = a.to_vector(), y = b.to_vector();
    std::vector<float> grad_a(g.size()), grad_b(g.size());
    for (size_t i = 0; i < g.size(); ++i) {
      grad_a[i] = g[i] * y[i];
      grad_b[i] = g[i] * x[i];
    }
    tamper(grad_b);
    autograd::accumulate_grad(a, Tensor::from_vector(grad_a, a.shape()));
    autograd::accumulate_grad(b, Tensor::from_vector(grad_b, b.shape()));
  });
  return out;
}

// Every element times 1 + fraction: a relative error of exactly `fraction`.
GradTamper scaled_by(double fraction) {
  return [fraction](std::vector<float>& grad) {
    for (float& g : grad) g = static_cast<float>(g * (1 + fraction));
  };
}

// The middle element moved by `fraction` of the largest: the same relative error, on one element.
GradTamper one_element_moved_by(double fraction) {
  return [fraction](std::vector<float>& grad) {
    float largest = 0;
    for (float g : grad) largest = std::max(largest, std::fabs(g));
    grad[grad.size() / 2] += static_cast<float>(fraction * largest);
  };
}

OpFn tampered_product(const GradTamper& tamper) {
  return [tamper](const Inputs& in) { return product_with_tampered_grad(in[0], in[1], tamper); };
}

// PyTorch's a * b with its forward times 1 + fraction; the detached term carries no gradient.
std::string torch_product_forward_scaled(double fraction) {
  return "lambda a, b: a * b + " + std::to_string(fraction) + " * (a * b).detach()";
}

// PyTorch's a * b with the gradient of b times 1 + fraction; the added term is exactly zero
// forward (the same products twice), so only the gradient moves.
std::string torch_product_grad_scaled(double fraction) {
  return "lambda a, b: a * b + " + std::to_string(fraction) + " * (a.detach() * b - (a * b).detach())";
}

}  // namespace

// Every element of b's gradient 1e-3 too large: ten times the gradient tolerance. The
// finite differences pass it (1e-3 is under their 1e-2), so the PyTorch comparison alone
// fails, once per case, and names the input.
TEST(OpCheckControl, RejectsAGradientScaledByOnePartInAThousand) {
  check_op("lambda a, b: a * b", product_cases(), tampered_product(scaled_by(0)));
  expect_failures([] { check_op("lambda a, b: a * b", product_cases(), tampered_product(scaled_by(kPerturbation))); },
                  product_cases().size(), "gradient of input 1 differs from PyTorch");
}

// One element of b's gradient off by 1e-3 of the largest: the comparison is a maximum over
// elements, so one element is enough to fail it.
TEST(OpCheckControl, RejectsOneGradientElementOffByOnePartInAThousand) {
  check_op("lambda a, b: a * b", product_cases(), tampered_product(one_element_moved_by(0)));
  expect_failures(
      [] { check_op("lambda a, b: a * b", product_cases(), tampered_product(one_element_moved_by(kPerturbation))); },
      product_cases().size(), "gradient of input 1 differs from PyTorch");
}

// PyTorch made to agree with a gradient 2% too large, so only the finite differences can
// tell. They compare <grad, v> with a central difference in f32 (step 1e-2) and allow 1e-2
// of |grad| |v|; on n elements a relative gradient error e shows there as about e / sqrt(n),
// so the control uses one-element inputs, where it shows as exactly e: 2%, twice the
// tolerance. Both random directions fail. Finer errors are the PyTorch comparison's job.
TEST(OpCheckControl, FiniteDifferencesAloneRejectAGradientPyTorchAgreesWith) {
  constexpr double kFiniteDifferencePerturbation = 2e-2;
  const std::vector<std::vector<InputSpec>> one_element = {{randn({1}), randn({1})}};
  check_op(torch_product_grad_scaled(0), one_element, tampered_product(scaled_by(0)));
  expect_failures(
      [&] {
        check_op(torch_product_grad_scaled(kFiniteDifferencePerturbation), one_element,
                 tampered_product(scaled_by(kFiniteDifferencePerturbation)));
      },
      2, "finite differences disagree with the gradient of input 1");
}

// Tessera's own mul against a PyTorch forward 1e-3 too large (a hundred times the forward
// tolerance) whose gradients are right: only the forward fails, once per case.
TEST(OpCheckControl, RejectsAReferenceForwardOffByOnePartInAThousand) {
  const OpFn product = [](const Inputs& in) { return mul(in[0], in[1]); };
  check_op(torch_product_forward_scaled(0), product_cases(), product);
  expect_failures([&] { check_op(torch_product_forward_scaled(kPerturbation), product_cases(), product); },
                  product_cases().size(), "forward differs from PyTorch");
}

// Tessera's own mul against a PyTorch gradient of b 1e-3 too large (ten times the gradient
// tolerance) whose forward is right: only that gradient fails, once per case.
TEST(OpCheckControl, RejectsAReferenceGradientOffByOnePartInAThousand) {
  const OpFn product = [](const Inputs& in) { return mul(in[0], in[1]); };
  check_op(torch_product_grad_scaled(0), product_cases(), product);
  expect_failures([&] { check_op(torch_product_grad_scaled(kPerturbation), product_cases(), product); },
                  product_cases().size(), "gradient of input 1 differs from PyTorch");
}

}  // namespace tessera::testing
