// Model-level golden tests, as llm.c does them: a tiny MLP and the whole transformer
// (tied and untied head), trained with AdamW (warmup + cosine learning rate, gradient
// clipping) in Tessera and in PyTorch (tests/model/golden_models.py, the transformer
// spelled out in tests/model/reference_model.py) from the same initial weights and data,
// must agree on the first step's output and every parameter's gradient, every step's loss
// and gradient norm, and every final parameter.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "autograd/activation.h"
#include "autograd/cross_entropy.h"
#include "autograd/engine.h"
#include "model/transformer.h"
#include "nn/linear.h"
#include "optim/adamw.h"
#include "optim/clip.h"
#include "optim/schedule.h"
#include "support/op_check.h"
#include "support/torch_oracle.h"

namespace tessera::testing {

namespace {

constexpr float kClip = 1.0f;
constexpr float kWeightDecay = 0.1f;
constexpr double kTolerance = 1e-4;

struct TinyMlp : nn::Module {
  TinyMlp(Rng& rng) : fc1(17, 65, true, 0.3f, rng), fc2(65, 5, true, 0.3f, rng) {
    register_module("fc1", fc1);
    register_module("fc2", fc2);
  }
  nn::Linear fc1, fc2;
};

// One forward: the model's output (logits) and the loss on it.
using StepFn = std::function<std::pair<Tensor, Tensor>()>;

struct Trace {
  Tensor first_output;
  nn::NamedTensors first_grads;
  std::vector<float> losses, grad_norms;
};

// One step per learning rate: forward, backward, clip, AdamW.
Trace train(nn::Module& model, const StepFn& step_fn, const std::vector<float>& lrs) {
  optim::AdamW optimizer(model.named_parameters(), {0.9f, 0.95f, 1e-8f, kWeightDecay});
  Trace trace;
  for (float lr : lrs) {
    model.zero_grad();
    auto [output, loss] = step_fn();
    autograd::backward(loss);
    if (!trace.first_output.defined()) {
      trace.first_output = output.clone();
      for (const auto& [name, p] : model.named_parameters()) trace.first_grads.emplace_back(name, p.grad().clone());
    }
    trace.grad_norms.push_back(optim::clip_grad_norm(model.parameters(), kClip));
    trace.losses.push_back(loss.item());
    optimizer.step(lr);
  }
  return trace;
}

// Sends the initial parameters and data to PyTorch, trains both for `steps`, compares.
void compare_with_torch(nn::Module& model, NamedTensors data, std::map<std::string, std::string> meta, int steps,
                        const StepFn& step_fn) {
  const optim::CosineSchedule schedule{3e-2f, 3e-3f, 2, steps};
  std::vector<float> lrs;
  for (int s = 0; s < steps; ++s) lrs.push_back(schedule.at(s));
  NamedTensors request = std::move(data);
  for (const auto& [name, p] : model.named_parameters()) request.emplace_back("param." + name, p.clone());
  request.emplace_back("lrs", Tensor::from_vector(lrs, {steps}));
  meta["path"] = "tests/model/golden_models.py";
  meta["clip"] = std::to_string(kClip);
  meta["weight_decay"] = std::to_string(kWeightDecay);
  const Safetensors ref = torch_call("script", request, meta);

  const Trace ours = train(model, step_fn, lrs);
  EXPECT_LE(relative_error(ours.first_output, ref.get("output")), kTolerance) << "first-step output (logits)";
  const std::vector<float> ref_losses = ref.get("losses").to_vector(), ref_norms = ref.get("grad_norms").to_vector();
  for (int s = 0; s < steps; ++s) {
    EXPECT_NEAR(ours.losses[s], ref_losses[s], kTolerance * std::max(1.0f, std::fabs(ref_losses[s])))
        << "loss, step " << s;
    EXPECT_NEAR(ours.grad_norms[s], ref_norms[s], kTolerance * std::max(1.0f, ref_norms[s])) << "grad norm, step " << s;
  }
  for (const auto& [name, grad] : ours.first_grads) {
    EXPECT_LE(relative_error(grad, ref.get("grad." + name)), kTolerance) << "first-step gradient of " << name;
  }
  for (const auto& [name, p] : model.named_parameters()) {
    EXPECT_LE(relative_error(p, ref.get("param." + name)), kTolerance)
        << "parameter " << name << " after " << steps << " steps";
  }
  EXPECT_LT(ours.losses.back(), ours.losses.front()) << "training did not lower the loss";
}

}  // namespace

TEST(GoldenModel, MlpTrainsLikePyTorch) {
  Rng rng(7);
  TinyMlp model(rng);
  const Tensor x = randn({8, 17}, rng);
  const Tensor targets = rand_int({8}, rng, 0, 5);
  compare_with_torch(model, {{"x", x}, {"targets", targets}}, {{"model", "mlp"}}, 5, [&] {
    Tensor logits = model.fc2.forward(gelu(model.fc1.forward(x)));
    return std::pair{logits, cross_entropy(logits, targets)};
  });
}

TEST(GoldenModel, TransformerTrainsLikePyTorch) {
  for (bool tied : {false, true}) {
    SCOPED_TRACE(tied ? "tied head" : "untied head");
    model::TransformerConfig config;
    config.vocab_size = 37;
    config.dim = 32;
    config.n_heads = 4;
    config.hidden = 48;
    config.n_layers = 2;
    config.tied_embeddings = tied;
    config.init_std = 0.2f;
    const int64_t batch = 2, seq = 17;
    const float z_loss = 1e-3f;
    Rng rng(11);
    model::Transformer model(config, rng);
    // Norm gains away from one, so a reference that drops one is caught.
    for (const auto& [name, p] : model.named_parameters()) {
      if (p.ndim() == 1) {
        for (int64_t i = 0; i < p.numel(); ++i) p.data<float>()[i] = 1.0f + 0.3f * rng.normal();
      }
    }
    const Tensor tokens = rand_int({batch, seq + 1}, rng, 0, static_cast<int32_t>(config.vocab_size));
    Tensor ids = Tensor::empty({batch, seq}, DType::i32), targets = Tensor::empty({batch, seq}, DType::i32);
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t t = 0; t < seq; ++t) {
        ids.data<int32_t>()[b * seq + t] = tokens.data<int32_t>()[b * (seq + 1) + t];
        targets.data<int32_t>()[b * seq + t] = tokens.data<int32_t>()[b * (seq + 1) + t + 1];
      }
    }
    targets.data<int32_t>()[3] = -100;  // an ignored position, as padding would be
    const std::map<std::string, std::string> meta = {{"model", "transformer"},
                                                     {"layers", std::to_string(config.n_layers)},
                                                     {"heads", std::to_string(config.n_heads)},
                                                     {"eps", std::to_string(config.norm_eps)},
                                                     {"theta", std::to_string(config.rope_theta)},
                                                     {"z_loss", std::to_string(z_loss)}};
    compare_with_torch(model, {{"ids", ids}, {"targets", targets}}, meta, 3, [&] {
      Tensor logits = model.forward(ids);
      return std::pair{logits, cross_entropy(logits, targets, {-100, z_loss})};
    });
  }
}

}  // namespace tessera::testing
