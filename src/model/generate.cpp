#include "model/generate.h"

#include <algorithm>
#include <chrono>

#include "autograd/engine.h"
#include "model/kv_cache.h"

namespace tessera::model {

const char* stop_reason_name(StopReason reason) {
  switch (reason) {
    case StopReason::stop_id:
      return "stop token";
    case StopReason::max_new_tokens:
      return "max new tokens";
    case StopReason::context_full:
      return "context full";
    case StopReason::callback:
      return "stopped by caller";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The last position's logits row of (1, T, V) logits.
std::span<const float> last_row(const Tensor& logits) {
  const int64_t V = logits.size(2);
  return {logits.data<float>() + (logits.size(1) - 1) * V, static_cast<size_t>(V)};
}

}  // namespace

GenerateResult generate(const Transformer& model, int64_t context_length, std::span<const int32_t> prompt,
                        const GenerateOptions& options, const TokenCallback& on_token) {
  const auto P = static_cast<int64_t>(prompt.size());
  TESSERA_CHECK(P > 0, "generate: the prompt is empty (it needs at least one token, such as <bos>)");
  TESSERA_CHECK(P <= context_length, "generate: the prompt has ", P, " tokens, longer than the context length of ",
                context_length, " tokens");
  options.sampling.validate();
  TESSERA_CHECK(options.max_new_tokens >= 0, "generate: max_new_tokens must be >= 0, found ", options.max_new_tokens);
  const auto V = static_cast<int32_t>(model.config.vocab_size);
  const int32_t hi = options.hi == 0 ? V : options.hi;
  for (int32_t id : prompt) {
    TESSERA_CHECK(id >= 0 && id < V, "generate: prompt id ", id, " is outside the vocabulary [0, ", V, ")");
  }

  autograd::NoGradGuard no_grad;
  Rng rng(options.sampling.seed);
  KVCache cache(model.config, 1, context_length);
  std::vector<int32_t> context(prompt.begin(), prompt.end());  // the window the penalty sees
  GenerateResult result;

  auto start = Clock::now();
  Tensor logits = model.forward(Tensor::from_vector(context, {1, P}), cache, /*last_only=*/true);
  result.prefill_seconds = seconds_since(start);
  start = Clock::now();
  result.reason = StopReason::context_full;
  while (static_cast<int64_t>(context.size()) < context_length) {
    if (static_cast<int64_t>(result.tokens.size()) == options.max_new_tokens) {
      result.reason = StopReason::max_new_tokens;
      break;
    }
    const int32_t id = sample(last_row(logits), options.sampling, rng, context, options.lo, hi);
    if (std::find(options.stop_ids.begin(), options.stop_ids.end(), id) != options.stop_ids.end()) {
      result.reason = StopReason::stop_id;
      break;
    }
    result.tokens.push_back(id);
    context.push_back(id);
    if (on_token && !on_token(id)) {
      result.reason = StopReason::callback;
      break;
    }
    // A token that fills the context or the budget is never fed back: nothing follows it.
    if (static_cast<int64_t>(context.size()) < context_length &&
        static_cast<int64_t>(result.tokens.size()) < options.max_new_tokens) {
      logits = model.forward(Tensor::from_vector(std::vector<int32_t>{id}, {1, 1}), cache);
    }
  }
  result.decode_seconds = seconds_since(start);
  return result;
}

}  // namespace tessera::model
