#pragma once
// Broadcast kernels on contiguous f32 buffers: binary arithmetic where each operand is
// stretched to the output shape, and the reverse, summing an output-shaped buffer down to
// an operand's shape (the gradient of a stretched operand).
//
// Shapes are described by a plan built once per call: size-1 output dimensions are
// dropped and neighbouring dimensions that are laid out alike in every operand merged, so
// that "equal shapes" becomes one flat loop and "(..., C) with (C)" becomes rows of C.
#include <cstdint>
#include <vector>

#include "core/shape.h"

namespace tessera::kernels::cpu {

enum class BinaryOp { add, sub, mul, div };

struct BroadcastPlan {
  // Merged output dimensions, outermost first; at least one (of size 1 for a one-element output).
  std::vector<int64_t> dims;
  // Each operand's element stride along `dims`, 0 where the operand is stretched.
  std::vector<int64_t> a_strides, b_strides;
};

// a_shape and b_shape must broadcast to out_shape (aligned from the right, each dimension
// equal to out's or 1; missing leading dimensions count as 1). out_shape may be larger than
// both operands' broadcast shape.
BroadcastPlan plan_broadcast(const Shape& out_shape, const Shape& a_shape, const Shape& b_shape);

// out = a op b, each operand read through its strides.   a, b: as planned, out: plan's output
void broadcast_binary(BinaryOp op, const BroadcastPlan& plan, const float* a, const float* b, float* out);

struct ReducePlan {
  // Merged dimensions of the full shape, outermost first; keep[k] says whether dimension k
  // exists in the reduced shape (false: it is summed over).
  std::vector<int64_t> dims;
  std::vector<bool> keep;
};

// target_shape must broadcast to full_shape.
ReducePlan plan_reduce(const Shape& full_shape, const Shape& target_shape);

// out = scale * (x * y) summed over the dimensions the target lacks; y may be null (then
// x alone). Each output element is summed in a fixed order, whatever the thread count.
// x, y: full shape, out: target shape
void sum_to_shape(const ReducePlan& plan, const float* x, const float* y, float scale, float* out);

}  // namespace tessera::kernels::cpu
