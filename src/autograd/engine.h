#pragma once
// Define-by-run reverse-mode autograd.
//
// While grad mode is on, every op whose inputs need a gradient records a Node: its
// backward as a closure over what it saved, plus a sequence number. The recorded nodes
// form the tape; backward(loss) walks the part of it that the loss depends on in reverse
// recording order. Each output holds its node and each node holds its inputs, so the
// tape frees itself as soon as its tensors go out of use.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace tessera::autograd {

struct Node {
  // Computes the inputs' gradients from the output and its gradient, and hands them to
  // accumulate_grad. Never captures its own output (that would be a reference cycle).
  using Backward = std::function<void(const Tensor& out, const Tensor& grad_out)>;

  std::string name;
  uint64_t sequence = 0;
  std::vector<Tensor> inputs;
  std::weak_ptr<TensorImpl> output;
  Backward backward;

  // Frees the chain of nodes that only this one kept alive iteratively: freeing it
  // recursively (node, input, the input's node, ...) overflows the stack on long chains.
  ~Node();
};

bool grad_enabled();

// Turns recording off for its lifetime (inference, optimizer updates, evaluation).
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// True when grad mode is on and some input requires a gradient.
bool needs_recording(const std::vector<Tensor>& inputs);

// Records `backward` for `output` when needs_recording(inputs); otherwise does nothing.
void record(const char* name, const std::vector<Tensor>& inputs, Tensor& output, Node::Backward backward);

// Adds `grad` (f32, of `tensor`'s shape) into `tensor`'s gradient. A gradient first arrives
// by reference; it is copied only when a second one must be added to it, so buffers are
// never shared-mutated.
void accumulate_grad(const Tensor& tensor, const Tensor& grad);

// Runs the backward pass from a one-element loss (seeded with 1) or from `output`
// with an explicit upstream gradient of its shape. Sequence numbers are global, so a graph
// may be recorded across threads. When a backward closure throws, the intermediates'
// gradients are cleared before the error propagates (leaves keep what already arrived).
void backward(const Tensor& loss);
void backward(const Tensor& output, const Tensor& grad_output);

}  // namespace tessera::autograd
