// Model-level golden tests, as llm.c does them: a tiny MLP and the whole transformer
// (tied and untied head), trained with AdamW (warmup + cosine learning rate, gradient
// clipping) in Tessera and in PyTorch (tests/model/golden_models.py, the transformer
// spelled out in tests/model/reference_model.py) from the same initial weights and data,
// must agree on the first step's output and every parameter's gradient, every step's loss
// and gradient norm, and every final parameter.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "autograd/activation.h"
#include "autograd/cross_entropy.h"
#include "autograd/engine.h"
#include "core/error.h"
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
  nn::NamedTensors first_grads, final_params;
  std::vector<float> losses, grad_norms;
};

// The same training in Tessera and in PyTorch, whose reference trace holds its tensors
// under our names and in our order.
struct GoldenRun {
  Trace ours, reference;
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
  for (const auto& [name, p] : model.named_parameters()) trace.final_params.emplace_back(name, p.clone());
  return trace;
}

// Sends the initial parameters and data to PyTorch and trains both for `steps`.
GoldenRun train_both(nn::Module& model, NamedTensors data, std::map<std::string, std::string> meta, int steps,
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
  const Safetensors reply = torch_call("script", request, meta);

  GoldenRun run{train(model, step_fn, lrs), {}};
  Trace& reference = run.reference;
  reference.first_output = reply.get("output");
  for (const auto& [name, grad] : run.ours.first_grads) {
    reference.first_grads.emplace_back(name, reply.get("grad." + name));
  }
  for (const auto& [name, p] : run.ours.final_params) {
    reference.final_params.emplace_back(name, reply.get("param." + name));
  }
  reference.losses = reply.get("losses").to_vector();
  reference.grad_norms = reply.get("grad_norms").to_vector();
  return run;
}

// The comparison itself, apart from the training, so its negative controls (below) can
// hand it a tampered trace.
void expect_trains_like_pytorch(const Trace& ours, const Trace& reference) {
  EXPECT_LE(relative_error(ours.first_output, reference.first_output), kTolerance) << "first-step output (logits)";
  for (size_t s = 0; s < ours.losses.size(); ++s) {
    EXPECT_NEAR(ours.losses[s], reference.losses[s], kTolerance * std::max(1.0f, std::fabs(reference.losses[s])))
        << "loss, step " << s;
    EXPECT_NEAR(ours.grad_norms[s], reference.grad_norms[s], kTolerance * std::max(1.0f, reference.grad_norms[s]))
        << "grad norm, step " << s;
  }
  for (size_t i = 0; i < ours.first_grads.size(); ++i) {
    const auto& [name, grad] = ours.first_grads[i];
    EXPECT_LE(relative_error(grad, reference.first_grads[i].second), kTolerance) << "first-step gradient of " << name;
  }
  for (size_t i = 0; i < ours.final_params.size(); ++i) {
    const auto& [name, p] = ours.final_params[i];
    EXPECT_LE(relative_error(p, reference.final_params[i].second), kTolerance)
        << "parameter " << name << " after " << ours.losses.size() << " steps";
  }
  EXPECT_LT(ours.losses.back(), ours.losses.front()) << "training did not lower the loss";
}

GoldenRun train_transformer_both(bool tied) {
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
  return train_both(model, {{"ids", ids}, {"targets", targets}}, meta, 3, [&] {
    Tensor logits = model.forward(ids);
    return std::pair{logits, cross_entropy(logits, targets, {.z_loss = z_loss})};
  });
}

// The tensor named `name` in `tensors`, to replace with a tampered copy.
Tensor& named(nn::NamedTensors& tensors, const std::string& name) {
  const auto it = std::find_if(tensors.begin(), tensors.end(), [&](const auto& entry) { return entry.first == name; });
  TESSERA_CHECK(it != tensors.end(), "no tensor named ", name);
  return it->second;
}

// A copy of `t` with one element moved by `fraction` of max |t|: a relative error of
// exactly `fraction`, on that element alone.
Tensor one_element_moved(const Tensor& t, int64_t index, float fraction) {
  std::vector<float> values = t.to_vector();
  float largest = 0;
  for (float v : values) largest = std::max(largest, std::fabs(v));
  values[index] += fraction * largest;
  return Tensor::from_vector(values, t.shape());
}

// A copy of `t` times 1 + fraction: a relative error of exactly `fraction`, everywhere.
Tensor scaled(const Tensor& t, float fraction) {
  std::vector<float> values = t.to_vector();
  for (float& v : values) v *= 1 + fraction;
  return Tensor::from_vector(values, t.shape());
}

}  // namespace

TEST(GoldenModel, MlpTrainsLikePyTorch) {
  Rng rng(7);
  TinyMlp model(rng);
  const Tensor x = randn({8, 17}, rng);
  const Tensor targets = rand_int({8}, rng, 0, 5);
  const GoldenRun run = train_both(model, {{"x", x}, {"targets", targets}}, {{"model", "mlp"}}, 5, [&] {
    Tensor logits = model.fc2.forward(gelu(model.fc1.forward(x)));
    return std::pair{logits, cross_entropy(logits, targets)};
  });
  expect_trains_like_pytorch(run.ours, run.reference);
}

TEST(GoldenModel, TransformerTrainsLikePyTorch) {
  for (bool tied : {false, true}) {
    SCOPED_TRACE(tied ? "tied head" : "untied head");
    const GoldenRun run = train_transformer_both(tied);
    expect_trains_like_pytorch(run.ours, run.reference);
  }
}

// Negative controls: the comparison must reject our trace or PyTorch's with one thing
// wrong by one part in a thousand, and name what is wrong. That is ten times kTolerance:
// every tensor compares as max |ours - torch| / max |torch|, and a loss to kTolerance of
// max(1, |torch|), where the loss is above 1 (2.4 at step 1). The untampered run,
// compared first, is the positive control.
TEST(GoldenModelControl, RejectsATraceOffByOnePartInAThousand) {
  constexpr float kPerturbation = 1e-3f;
  const GoldenRun run = train_transformer_both(false);
  expect_trains_like_pytorch(run.ours, run.reference);

  const auto expect_rejected = [&](const std::function<void(Trace&, Trace&)>& tamper, const std::string& what,
                                   std::source_location where = std::source_location::current()) {
    GoldenRun tampered = run;  // shares the tensors: `tamper` replaces, never writes into, them
    tamper(tampered.ours, tampered.reference);
    expect_failures([&] { expect_trains_like_pytorch(tampered.ours, tampered.reference); }, 1, what, where);
  };
  expect_rejected(
      [](Trace& ours, Trace&) {
        Tensor& grad = named(ours.first_grads, "blocks.1.attn.wq.weight");
        grad = one_element_moved(grad, 100, kPerturbation);
      },
      "first-step gradient of blocks.1.attn.wq.weight");
  expect_rejected(
      [](Trace& ours, Trace&) {
        Tensor& grad = named(ours.first_grads, "norm.weight");
        grad = scaled(grad, kPerturbation);
      },
      "first-step gradient of norm.weight");
  expect_rejected(
      [](Trace&, Trace& reference) {
        reference.first_output = one_element_moved(reference.first_output, 500, kPerturbation);
      },
      "first-step output (logits)");
  expect_rejected(
      [](Trace&, Trace& reference) {
        Tensor& grad = named(reference.first_grads, "embed.weight");
        grad = one_element_moved(grad, 7, kPerturbation);
      },
      "first-step gradient of embed.weight");
  expect_rejected([](Trace&, Trace& reference) { reference.losses[1] *= 1 + kPerturbation; }, "loss, step 1");
  expect_rejected(
      [](Trace&, Trace& reference) {
        Tensor& p = named(reference.final_params, "blocks.0.mlp.down.weight");
        p = one_element_moved(p, 42, kPerturbation);
      },
      "parameter blocks.0.mlp.down.weight after 3 steps");
}

}  // namespace tessera::testing
