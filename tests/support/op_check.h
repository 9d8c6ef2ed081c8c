#pragma once
// One line per op test, as tinygrad does it:
//
//   check_op("lambda x, w: x * w", {{randn({3, 17}), randn({17})}, {randn({1}), randn({1})}},
//            [](const Inputs& in) { return mul(in[0], in[1]); });
//
// For every case the same random inputs go through Tessera and through PyTorch (the
// lambda, evaluated in float64). The forward output and the gradient of every input
// marked for it (of sum(out * upstream), upstream random) must agree to the tolerances;
// then a finite-difference check of each gradient along random directions runs on
// Tessera alone.
#include <cstddef>
#include <functional>
#include <source_location>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tessera::testing {

struct InputSpec {
  enum class Kind { normal, uniform, integers, given };
  Shape shape;
  Kind kind = Kind::normal;
  double lo = 0, hi = 1;  // uniform range, or integer range [lo, hi)
  bool grad = true;
  Tensor value;  // for Kind::given
};

InputSpec randn(Shape shape);                          // N(0, 1), gradient checked
InputSpec uniform(Shape shape, double lo, double hi);  // U[lo, hi), gradient checked
InputSpec ints(Shape shape, int lo, int hi);           // i32 in [lo, hi), no gradient
InputSpec given(Tensor value, bool grad = false);      // a fixed tensor (a mask, say)
InputSpec no_grad(InputSpec spec);                     // same input, gradient not checked

using Inputs = std::vector<Tensor>;
using OpFn = std::function<Tensor(const Inputs&)>;

struct Tolerance {
  double forward = 1e-5;      // max |ours - torch| / max |torch|, per output
  double grad = 1e-4;         // the same, per input gradient
  double finite_diff = 1e-2;  // |directional derivative - <grad, v>| / scale
  bool finite_differences = true;
  double fd_step = 1e-2;
};

void check_op(const std::string& torch_expr, const std::vector<std::vector<InputSpec>>& cases, const OpFn& op,
              const Tolerance& tol = {});

// max |a - b| / max |b| (max |a - b| alone when b is all zeros).
double relative_error(const Tensor& a, const Tensor& b);

// Runs `check` with the GoogleTest failures it reports captured instead of failing the
// running test, and expects `count` of them, each naming `what`: how a negative control
// shows that a check (this one, the golden model test) can fail, and on what.
void expect_failures(const std::function<void()>& check, size_t count, const std::string& what,
                     std::source_location where = std::source_location::current());

}  // namespace tessera::testing
