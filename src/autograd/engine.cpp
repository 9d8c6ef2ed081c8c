#include "autograd/engine.h"

#include <algorithm>
#include <atomic>
#include <unordered_set>

#include "kernels/cpu/elementwise.h"

namespace tessera::autograd {

namespace {
thread_local bool g_grad_enabled = true;
std::atomic<uint64_t> g_next_sequence{0};  // one recording order for every thread
}  // namespace

Node::~Node() {
  std::vector<std::shared_ptr<Node>> orphans;
  // Takes the nodes that only `node`'s inputs keep alive, leaving `node` nothing to free
  // recursively. The closure goes first: it holds copies of the inputs.
  auto unlink = [&orphans](Node& node) {
    node.backward = nullptr;
    for (const Tensor& input : node.inputs) {
      const std::shared_ptr<TensorImpl>& impl = input.impl_ptr();
      if (impl && impl.use_count() == 1 && impl->grad_fn && impl->grad_fn.use_count() == 1) {
        orphans.push_back(std::move(impl->grad_fn));
      }
    }
    node.inputs.clear();
  };
  unlink(*this);
  while (!orphans.empty()) {
    std::shared_ptr<Node> next = std::move(orphans.back());
    orphans.pop_back();
    unlink(*next);
  }
}

bool grad_enabled() { return g_grad_enabled; }

NoGradGuard::NoGradGuard() : previous_(g_grad_enabled) { g_grad_enabled = false; }
NoGradGuard::~NoGradGuard() { g_grad_enabled = previous_; }

bool needs_recording(const std::vector<Tensor>& inputs) {
  if (!g_grad_enabled) return false;
  return std::any_of(inputs.begin(), inputs.end(), [](const Tensor& t) { return t.requires_grad(); });
}

void record(const char* name, const std::vector<Tensor>& inputs, Tensor& output, Node::Backward backward) {
  if (!needs_recording(inputs)) return;
  auto node = std::make_shared<Node>();
  node->name = name;
  node->sequence = g_next_sequence.fetch_add(1, std::memory_order_relaxed);
  node->inputs = inputs;
  node->output = output.impl_ptr();
  node->backward = std::move(backward);
  output.impl()->requires_grad = true;
  output.set_grad_fn(std::move(node));
}

void accumulate_grad(const Tensor& tensor, const Tensor& grad) {
  if (!tensor.requires_grad()) return;
  TESSERA_CHECK(grad.defined(), "backward: the gradient for a tensor of shape ", shape_str(tensor.shape()),
                " is undefined");
  TESSERA_CHECK(grad.dtype() == DType::f32 && grad.shape() == tensor.shape(), "backward: gradient ",
                dtype_name(grad.dtype()), " ", shape_str(grad.shape()), " for a tensor of shape ",
                shape_str(tensor.shape()), " (expected f32 of that shape)");
  Tensor current = tensor.grad();
  if (!current.defined()) {
    tensor.set_grad(grad, false);
    return;
  }
  if (!tensor.grad_owned()) {
    current = current.clone();
    tensor.set_grad(current, true);
  }
  kernels::cpu::add_inplace(current.data<float>(), grad.data<float>(), current.numel());
}

void backward(const Tensor& loss) {
  TESSERA_CHECK(loss.numel() == 1, "backward: the loss must have one element, found shape ", shape_str(loss.shape()),
                "; pass an upstream gradient for other outputs");
  backward(loss, Tensor::full(loss.shape(), 1.0f));
}

void backward(const Tensor& output, const Tensor& grad_output) {
  TESSERA_CHECK(output.requires_grad(),
                "backward: the tensor does not require a gradient (no input of the ops "
                "that made it was marked requires_grad, or they ran under NoGradGuard)");
  NoGradGuard no_grad;  // backward closures compute with ops that must not record

  // Collect the nodes the output depends on; sequence order is recording order.
  std::vector<std::shared_ptr<Node>> nodes;
  std::unordered_set<const Node*> seen;
  std::vector<std::shared_ptr<Node>> stack;
  if (output.grad_fn()) stack.push_back(output.grad_fn());
  while (!stack.empty()) {
    std::shared_ptr<Node> node = std::move(stack.back());
    stack.pop_back();
    if (!seen.insert(node.get()).second) continue;
    for (const Tensor& input : node->inputs) {
      if (input.defined() && input.grad_fn()) stack.push_back(input.grad_fn());
    }
    nodes.push_back(std::move(node));
  }
  std::sort(nodes.begin(), nodes.end(), [](const auto& a, const auto& b) { return a->sequence > b->sequence; });

  accumulate_grad(output, grad_output);
  try {
    for (const auto& node : nodes) {
      std::shared_ptr<TensorImpl> out_impl = node->output.lock();
      if (!out_impl || !out_impl->grad) continue;
      Tensor out(out_impl);
      node->backward(out, out.grad());
      out.zero_grad();  // intermediate gradients are not kept: their memory goes back at once
    }
  } catch (...) {
    // Gradients left on intermediates would be added to by the next backward.
    for (const auto& node : nodes) {
      if (std::shared_ptr<TensorImpl> out_impl = node->output.lock()) Tensor(out_impl).zero_grad();
    }
    throw;
  }
}

}  // namespace tessera::autograd
