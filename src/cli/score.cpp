// `tessera score MODEL --prompt TEXT | --ids "1 2 3" [--top-k K]`: the log-probability the
// model gives each token of the input given the ones before it, as JSON on stdout, so other
// programs (and a reimplementation of the model in another framework) can check it.
#include "model/score.h"

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/id_list.h"
#include "model/model_dir.h"
#include "model/prompt.h"

namespace tessera::cli {

namespace {

using nlohmann::json;

struct ScoreArgs {
  std::string model, prompt, ids;
  int64_t top_k = 0;
};

// A control token's name, a text id's SentencePiece piece, or "<image:17>".
std::string token_name(const model::LoadedModel& m, int32_t id) {
  const auto [modality, local] = m.config.vocabulary.to_local(id);
  if (modality == codecs::Modality::text && m.codecs.has(codecs::Modality::text)) {
    return m.codecs.get<codecs::TextCodec>(codecs::Modality::text).piece(static_cast<int32_t>(local));
  }
  return m.config.vocabulary.describe(id);
}

json candidates_json(const model::LoadedModel& m, const std::vector<model::Candidate>& candidates) {
  json out = json::array();
  for (const model::Candidate& c : candidates) {
    out.push_back({{"id", c.id}, {"token", token_name(m, c.id)}, {"logit", c.logit}, {"logprob", c.logprob}});
  }
  return out;
}

void run_score(const ScoreArgs& args, bool from_prompt) {
  const model::LoadedModel m = model::load_model(args.model);
  const std::vector<int32_t> ids =
      from_prompt ? model::text_prompt(m.config.vocabulary, m.codecs.get<codecs::TextCodec>(codecs::Modality::text),
                                       args.prompt)
                  : parse_ids(args.ids, "--ids");
  const model::SequenceScore s = model::score(*m.transformer, m.config.context_length, ids, args.top_k);

  json tokens = json::array();
  for (const model::TokenScore& t : s.tokens) {
    json token = {{"id", t.id}, {"token", token_name(m, t.id)}};
    if (t.logprob) token["logprob"] = *t.logprob;
    if (args.top_k > 0 && t.logprob) token["top"] = candidates_json(m, t.top);
    tokens.push_back(token);
  }
  json out = {{"model", args.model},
              {"tokens", tokens},
              {"scored", s.tokens.size() - 1},
              {"sum_logprob", s.sum_logprob},
              {"mean_logprob", s.mean_logprob ? json(*s.mean_logprob) : json(nullptr)}};
  if (args.top_k > 0) out["next"] = candidates_json(m, s.next);
  // Pieces are UTF-8 as SentencePiece stores them; replace rather than fail on anything else.
  const std::string text = out.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
}

}  // namespace

void add_score_command(CLI::App& app) {
  auto args = std::make_shared<ScoreArgs>();
  CLI::App* cmd = app.add_subcommand(
      "score", "Print, as JSON, the log-probability a model gives each token of an input given the tokens before it");
  cmd->footer(
      "Output: {\"tokens\": [{\"id\", \"token\", \"logprob\", \"top\"}, ...], \"next\", \"scored\", \"sum_logprob\", "
      "\"mean_logprob\"}. \"token\" is a control token's name, a text token's SentencePiece piece (U+2581 for a "
      "space, <0xNN> for a byte) or <image:N> / <audio:N>. The first token has no logprob; \"top\" (with "
      "--top-k) lists the K largest logits of the position that predicts the token, \"next\" those after the "
      "last token, each with its id, token, logit and logprob. Natural logarithms; sum and mean are over every "
      "token but the first. docs/format.md says how the model computes them.");
  cmd->add_option("model", args->model, "Model directory (config.json, model.safetensors, codec files)")->required();
  CLI::Option* prompt = cmd->add_option(
      "--prompt", args->prompt, "Text to score; the model sees <bos> and then its tokens, as `tessera generate` does");
  CLI::Option* ids =
      cmd->add_option("--ids", args->ids, "Global token ids to score instead, in one quoted argument: \"300 12 7\"");
  prompt->excludes(ids);
  cmd->add_option("--top-k", args->top_k, "Also list each position's K most likely tokens (0: none)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->callback([args, prompt, ids] {
    TESSERA_CHECK(*prompt || *ids, "score: give the input with --prompt TEXT or --ids \"ID ID ...\"");
    run_score(*args, static_cast<bool>(*prompt));
  });
}

}  // namespace tessera::cli
