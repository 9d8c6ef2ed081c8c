#include "model/generate_batch.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "autograd/engine.h"
#include "model/kv_cache.h"

namespace tessera::model {

ModalitySampling ModalitySampling::all(const SamplingConfig& config) { return {config, config, config}; }

const SamplingConfig& ModalitySampling::for_span(std::optional<codecs::Modality> open_span) const {
  if (open_span == codecs::Modality::image) return image;
  if (open_span == codecs::Modality::audio) return audio;
  return text;
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// One generation row as it decodes. Its conditional logits are cache row `cond_row`, its
// unconditional ones (with guidance) `uncond_row`.
struct RowState {
  const GenerationRow* request = nullptr;
  int64_t cond_row = 0, uncond_row = -1;
  std::optional<SpanGrammar> grammar;
  Rng rng;
  std::vector<int32_t> context;  // prompt and tokens: the window the repetition penalty sees
  GenerateResult result;
  bool running = true;
};

void check_prompt(std::span<const int32_t> prompt, const char* what, int64_t row, int64_t context_length,
                  int32_t vocab) {
  const auto P = static_cast<int64_t>(prompt.size());
  TESSERA_CHECK(P > 0, "generate: row ", row, ": the ", what, " is empty (it needs at least one token, such as <bos>)");
  TESSERA_CHECK(P <= context_length, "generate: row ", row, ": the ", what, " has ", P,
                " tokens, longer than the context length of ", context_length, " tokens");
  for (const int32_t id : prompt) {
    TESSERA_CHECK(id >= 0 && id < vocab, "generate: row ", row, ": ", what, " id ", id,
                  " is outside the vocabulary [0, ", vocab, ")");
  }
}

void check_row(const GenerationRow& r, int64_t row, int64_t context_length, int32_t vocab) {
  check_prompt(r.prompt, "prompt", row, context_length, vocab);
  for (const SamplingConfig* config : {&r.sampling.text, &r.sampling.image, &r.sampling.audio}) config->validate();
  TESSERA_CHECK(r.max_new_tokens >= 0, "generate: row ", row, ": max_new_tokens must be >= 0, found ",
                r.max_new_tokens);
  if (r.grammar) {
    TESSERA_CHECK(r.allowed.empty(), "generate: row ", row,
                  " has both a grammar and allowed ranges; the grammar alone says what is allowed");
    TESSERA_CHECK(r.grammar->length() == 0, "generate: row ", row, "'s grammar has followed ", r.grammar->length(),
                  " ids already; pass it before the prompt, which generation pushes into it");
    TESSERA_CHECK(r.grammar->shape().context_length == context_length, "generate: row ", row,
                  "'s grammar is for a context of ", r.grammar->shape().context_length, " tokens, the batch's is ",
                  context_length);
  }
  if (r.guidance) {
    TESSERA_CHECK(r.grammar.has_value(), "generate: row ", row,
                  " has guidance but no grammar (guidance applies inside the grammar's image and audio spans)");
    check_prompt(r.guidance->unconditional_prompt, "unconditional prompt", row, context_length, vocab);
    TESSERA_CHECK(std::isfinite(r.guidance->scale), "generate: row ", row,
                  ": the guidance scale must be finite, found ", r.guidance->scale);
  }
}

// ids: i32 (R, P) with every prompt on the right and pad_id before it.
Tensor left_padded(const std::vector<std::span<const int32_t>>& prompts, int64_t P, int32_t pad_id) {
  const auto R = static_cast<int64_t>(prompts.size());
  std::vector<int32_t> ids(static_cast<size_t>(R * P), pad_id);
  for (int64_t r = 0; r < R; ++r) {
    std::copy(prompts[r].begin(), prompts[r].end(),
              ids.begin() + (r + 1) * P - static_cast<int64_t>(prompts[r].size()));
  }
  return Tensor::from_vector(ids, {R, P});
}

// mask: u8 (R, queries, keys), row r's first pads[r] keys masked out for every query;
// undefined when nothing is padded, so unpadded batches take the maskless path.
Tensor padding_mask(const std::vector<int64_t>& pads, int64_t queries, int64_t keys) {
  if (std::all_of(pads.begin(), pads.end(), [](int64_t pad) { return pad == 0; })) return Tensor();
  const auto R = static_cast<int64_t>(pads.size());
  Tensor mask = Tensor::empty({R, queries, keys}, DType::u8);
  uint8_t* m = mask.data<uint8_t>();
  for (int64_t r = 0; r < R; ++r) {
    for (int64_t i = 0; i < queries; ++i) {
      for (int64_t j = 0; j < keys; ++j) *m++ = j >= pads[r];
    }
  }
  return mask;
}

// Ends the row when it has no room or budget left for another token.
void stop_at_limits(RowState& s, int64_t context_length) {
  if (static_cast<int64_t>(s.context.size()) == context_length) {
    s.running = false;
    s.result.reason = StopReason::context_full;
  } else if (static_cast<int64_t>(s.result.tokens.size()) == s.request->max_new_tokens) {
    s.running = false;
    s.result.reason = StopReason::max_new_tokens;
  }
}

// logits: (R, 1, V) of the last step. The row's next token, from its own logits, or inside
// a span of a guided row from cond + scale * (cond - uncond).
int32_t draw(RowState& s, const Tensor& logits) {
  const int64_t V = logits.size(2);
  const float* cond = logits.data<float>() + s.cond_row * V;
  std::span<const float> row(cond, static_cast<size_t>(V));
  const std::optional<codecs::Modality> open = s.grammar ? s.grammar->open_span() : std::nullopt;
  std::vector<float> guided;
  if (s.request->guidance && open) {
    const float* uncond = logits.data<float>() + s.uncond_row * V;
    const float scale = s.request->guidance->scale;
    guided.resize(static_cast<size_t>(V));
    for (int64_t v = 0; v < V; ++v) guided[v] = cond[v] + scale * (cond[v] - uncond[v]);
    row = guided;
  }
  const SamplingConfig& config = s.request->sampling.for_span(open);
  if (s.grammar) return sample(row, config, s.rng, s.context, s.grammar->allowed());
  if (s.request->allowed.empty()) return sample(row, config, s.rng, s.context, 0, static_cast<int32_t>(V));
  return sample(row, config, s.rng, s.context, s.request->allowed);
}

}  // namespace

std::vector<GenerateResult> generate_batch(const Transformer& model, int64_t context_length, int32_t pad_id,
                                           std::span<const GenerationRow> rows, const RowTokenCallback& on_token) {
  const auto B = static_cast<int64_t>(rows.size());
  const auto V = static_cast<int32_t>(model.config.vocab_size);
  TESSERA_CHECK(B > 0, "generate: no rows to generate");
  TESSERA_CHECK(pad_id >= 0 && pad_id < V, "generate: the pad id ", pad_id, " is outside the vocabulary [0, ", V, ")");
  for (int64_t b = 0; b < B; ++b) check_row(rows[b], b, context_length, V);

  // Cache rows: the B conditional rows, then one unconditional row per guided row.
  std::vector<RowState> states(static_cast<size_t>(B));
  std::vector<std::span<const int32_t>> prompts;
  for (int64_t b = 0; b < B; ++b) prompts.emplace_back(rows[b].prompt);
  for (int64_t b = 0; b < B; ++b) {
    RowState& s = states[b];
    s.request = &rows[b];
    s.cond_row = b;
    if (rows[b].guidance) {
      s.uncond_row = static_cast<int64_t>(prompts.size());
      prompts.emplace_back(rows[b].guidance->unconditional_prompt);
    }
    s.rng.reseed(rows[b].seed);
    s.context = rows[b].prompt;
    if (rows[b].grammar) {
      s.grammar = rows[b].grammar;
      try {
        s.grammar->push(std::span<const int32_t>(rows[b].prompt));
      } catch (const Error& e) {
        fail("generate: row ", b, "'s prompt breaks its grammar: ", e.what());
      }
    }
  }
  const auto R = static_cast<int64_t>(prompts.size());
  int64_t P = 0;
  for (const auto& prompt : prompts) P = std::max(P, static_cast<int64_t>(prompt.size()));
  std::vector<int64_t> pads;
  for (const auto& prompt : prompts) pads.push_back(P - static_cast<int64_t>(prompt.size()));
  // The cache holds the padded prompts and then one position per step, of which there are
  // at most as many as the longest-running row can take.
  int64_t steps = 0;
  for (const GenerationRow& r : rows) {
    steps = std::max(steps, std::min(r.max_new_tokens, context_length - static_cast<int64_t>(r.prompt.size())));
  }

  autograd::NoGradGuard no_grad;
  KVCache cache(model.config, R, P + steps);
  auto start = Clock::now();
  Tensor logits = model.forward(left_padded(prompts, P, pad_id), cache, /*last_only=*/true, padding_mask(pads, P, P));
  const double prefill_seconds = seconds_since(start);
  start = Clock::now();
  for (RowState& s : states) stop_at_limits(s, context_length);
  for (;;) {
    std::vector<int32_t> next(static_cast<size_t>(R), pad_id);
    for (int64_t b = 0; b < B; ++b) {
      RowState& s = states[b];
      if (!s.running) continue;
      const int32_t id = draw(s, logits);
      const std::vector<int32_t>& stops = s.request->stop_ids;
      if (std::find(stops.begin(), stops.end(), id) != stops.end()) {
        s.running = false;
        s.result.reason = StopReason::stop_id;
        continue;
      }
      s.result.tokens.push_back(id);
      s.context.push_back(id);
      if (s.grammar) s.grammar->push(id);
      if (on_token && !on_token(b, id)) {
        s.running = false;
        s.result.reason = StopReason::callback;
        continue;
      }
      // A token that fills the context or the budget is never fed back: nothing follows it.
      stop_at_limits(s, context_length);
      if (!s.running) continue;
      next[s.cond_row] = id;
      if (s.uncond_row >= 0) next[s.uncond_row] = id;
    }
    if (std::none_of(states.begin(), states.end(), [](const RowState& s) { return s.running; })) break;
    logits = model.forward(Tensor::from_vector(next, {R, 1}), cache, false, padding_mask(pads, 1, cache.length() + 1));
  }
  const double decode_seconds = seconds_since(start);

  std::vector<GenerateResult> results;
  for (RowState& s : states) {
    s.result.prefill_seconds = prefill_seconds;
    s.result.decode_seconds = decode_seconds;
    results.push_back(std::move(s.result));
  }
  return results;
}

}  // namespace tessera::model
