#include "support/op_check.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "autograd/engine.h"
#include "core/rng.h"
#include "support/torch_oracle.h"

namespace tessera::testing {

InputSpec randn(Shape shape) {
  InputSpec s;
  s.shape = std::move(shape);
  return s;
}

InputSpec uniform(Shape shape, double lo, double hi) {
  InputSpec s = randn(std::move(shape));
  s.kind = InputSpec::Kind::uniform;
  s.lo = lo;
  s.hi = hi;
  return s;
}

InputSpec ints(Shape shape, int lo, int hi) {
  InputSpec s = uniform(std::move(shape), lo, hi);
  s.kind = InputSpec::Kind::integers;
  s.grad = false;
  return s;
}

InputSpec given(Tensor value, bool grad) {
  InputSpec s = randn(value.shape());
  s.kind = InputSpec::Kind::given;
  s.grad = grad;
  s.value = std::move(value);
  return s;
}

InputSpec no_grad(InputSpec spec) {
  spec.grad = false;
  return spec;
}

double relative_error(const Tensor& a, const Tensor& b) {
  const std::vector<float> x = a.to_vector(), y = b.to_vector();
  double diff = 0, scale = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double d = std::fabs(static_cast<double>(x[i]) - y[i]);
    diff = std::isnan(d) ? INFINITY : std::max(diff, d);
    scale = std::max(scale, std::fabs(static_cast<double>(y[i])));
  }
  return scale > 0 ? diff / scale : diff;
}

void expect_failures(const std::function<void()>& check, size_t count, const std::string& what,
                     std::source_location where) {
  ::testing::TestPartResultArray results;
  {
    const ::testing::ScopedFakeTestPartResultReporter capture(&results);
    check();
  }
  std::vector<std::string> failures;
  for (int i = 0; i < results.size(); ++i) {
    if (results.GetTestPartResult(i).failed()) failures.emplace_back(results.GetTestPartResult(i).message());
  }
  std::string all;
  for (const std::string& failure : failures) all += "\n---\n" + failure;
  if (failures.size() != count) {
    ADD_FAILURE_AT(where.file_name(), where.line())
        << "expected " << count << " failures naming \"" << what << "\", the check reported " << failures.size() << all;
  }
  for (const std::string& failure : failures) {
    if (failure.find(what) == std::string::npos) {
      ADD_FAILURE_AT(where.file_name(), where.line()) << "a failure does not name \"" << what << "\": " << failure;
    }
  }
}

namespace {

Tensor make_input(const InputSpec& spec, Rng& rng) {
  switch (spec.kind) {
    case InputSpec::Kind::normal:
      return randn(spec.shape, rng);
    case InputSpec::Kind::uniform:
      return rand_uniform(spec.shape, rng, static_cast<float>(spec.lo), static_cast<float>(spec.hi));
    case InputSpec::Kind::integers:
      return rand_int(spec.shape, rng, static_cast<int32_t>(spec.lo), static_cast<int32_t>(spec.hi));
    case InputSpec::Kind::given:
      return spec.value.clone();
  }
  return Tensor();
}

// sum(op(inputs) * upstream) in double, the scalar whose gradients are compared.
double projected(const OpFn& op, const Inputs& inputs, const Tensor& upstream) {
  autograd::NoGradGuard no_grad;
  const std::vector<float> out = op(inputs).to_vector(), up = upstream.to_vector();
  double total = 0;
  for (size_t i = 0; i < out.size(); ++i) total += static_cast<double>(out[i]) * up[i];
  return total;
}

std::string describe(const std::vector<InputSpec>& specs) {
  std::string out;
  for (const InputSpec& s : specs) {
    if (!out.empty()) out += ' ';
    out += shape_str(s.shape);
  }
  return out;
}

void check_finite_differences(const OpFn& op, const Inputs& inputs, const Tensor& upstream, size_t index,
                              const Tensor& grad, const Tolerance& tol, const std::string& label, Rng& rng) {
  for (int direction = 0; direction < 2; ++direction) {
    Tensor v = randn(inputs[index].shape(), rng);
    double analytic = 0;
    const float* g = grad.data<float>();
    const float* vp = v.data<float>();
    for (int64_t i = 0; i < v.numel(); ++i) analytic += static_cast<double>(g[i]) * vp[i];
    auto shifted = [&](double sign) {
      Inputs moved = inputs;
      moved[index] = inputs[index].clone();
      float* p = moved[index].data<float>();
      for (int64_t i = 0; i < v.numel(); ++i) p[i] += static_cast<float>(sign * tol.fd_step) * vp[i];
      return projected(op, moved, upstream);
    };
    const double numeric = (shifted(1) - shifted(-1)) / (2 * tol.fd_step);
    double gnorm = 0, vnorm = 0;
    for (int64_t i = 0; i < v.numel(); ++i) {
      gnorm += static_cast<double>(g[i]) * g[i];
      vnorm += static_cast<double>(vp[i]) * vp[i];
    }
    const double scale = std::max(std::sqrt(gnorm * vnorm), 1e-6);
    EXPECT_LE(std::fabs(numeric - analytic) / scale, tol.finite_diff)
        << label << ": finite differences disagree with the gradient of input " << index << " (numeric " << numeric
        << ", analytic " << analytic << ")";
  }
}

}  // namespace

void check_op(const std::string& torch_expr, const std::vector<std::vector<InputSpec>>& cases, const OpFn& op,
              const Tolerance& tol) {
  Rng rng(std::hash<std::string>{}(torch_expr));
  for (size_t c = 0; c < cases.size(); ++c) {
    const std::vector<InputSpec>& specs = cases[c];
    const std::string label = torch_expr + " on " + describe(specs);
    Inputs inputs;
    std::string grad_list;
    for (size_t i = 0; i < specs.size(); ++i) {
      inputs.push_back(make_input(specs[i], rng));
      if (specs[i].grad) {
        inputs.back().set_requires_grad(true);
        if (!grad_list.empty()) grad_list += ',';
        grad_list += std::to_string(i);
      }
    }
    Tensor out = op(inputs);
    Tensor upstream = randn(out.shape(), rng);
    if (!grad_list.empty()) autograd::backward(out, upstream);

    NamedTensors request{{"upstream", upstream}};
    for (size_t i = 0; i < inputs.size(); ++i) request.emplace_back("in" + std::to_string(i), inputs[i]);
    const Safetensors ref =
        torch_call("op", request,
                   {{"expr", torch_expr}, {"inputs", std::to_string(inputs.size())}, {"grad", "[" + grad_list + "]"}});

    const Tensor& ref_out = ref.get("out");
    ASSERT_EQ(out.shape(), ref_out.shape())
        << label << ": output shape " << shape_str(out.shape()) << ", PyTorch's " << shape_str(ref_out.shape());
    EXPECT_LE(relative_error(out, ref_out), tol.forward) << label << ": forward differs from PyTorch";
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!specs[i].grad) continue;
      const Tensor grad = inputs[i].grad();
      ASSERT_TRUE(grad.defined()) << label << ": no gradient reached input " << i;
      EXPECT_LE(relative_error(grad, ref.get("grad" + std::to_string(i))), tol.grad)
          << label << ": gradient of input " << i << " differs from PyTorch";
      if (tol.finite_differences) {
        Inputs detached;
        for (const Tensor& t : inputs) detached.push_back(t.clone());
        check_finite_differences(op, detached, upstream, i, grad, tol, label, rng);
      }
    }
  }
}

}  // namespace tessera::testing
