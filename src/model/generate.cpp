#include "model/generate.h"

#include "model/generate_batch.h"

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

GenerateResult generate(const Transformer& model, int64_t context_length, std::span<const int32_t> prompt,
                        const GenerateOptions& options, const TokenCallback& on_token) {
  GenerationRow row;
  row.prompt.assign(prompt.begin(), prompt.end());
  row.sampling = ModalitySampling::all(options.sampling);
  row.seed = options.sampling.seed;
  row.allowed = {{options.lo, options.hi == 0 ? static_cast<int32_t>(model.config.vocab_size) : options.hi}};
  row.stop_ids = options.stop_ids;
  row.max_new_tokens = options.max_new_tokens;
  RowTokenCallback on_row_token;
  if (on_token) on_row_token = [&](int64_t, int32_t id) { return on_token(id); };
  // One row: nothing is padded and nothing follows its stop, so no pad id is ever fed.
  return generate_batch(model, context_length, /*pad_id=*/0, std::span<const GenerationRow>(&row, 1), on_row_token)[0];
}

}  // namespace tessera::model
