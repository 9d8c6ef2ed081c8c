// Image -> text. Fashion-MNIST: the share of test images whose greedy caption is their class
// name, and the share whose class name is the most likely of the ten (ranking needs no
// decoding choices, so it separates what the model knows from how it is sampled). Emoji:
// every test caption is a candidate for every image, and the true one's rank gives top-1
// and top-5.
#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "codecs/text_codec.h"
#include "core/progress.h"
#include "data/corpus_plan.h"
#include "data/image_set.h"
#include "eval/eval_tasks.h"
#include "model/continuation_score.h"
#include "model/prompt.h"

namespace tessera::eval {

namespace {

namespace fs = std::filesystem;
using codecs::Modality;

std::string normalized(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The caption texts of a split as the corpus trains on them (their first 12 words), each once,
// sorted.
std::vector<std::string> caption_texts(const data::ImageSet& set) {
  std::set<std::string> unique;
  for (int64_t i = 0; i < set.size(); ++i) unique.insert(data::spoken_text(set.caption(i)));
  return {unique.begin(), unique.end()};
}

class CaptionScorer {
 public:
  explicit CaptionScorer(const EvalRun& run, const std::vector<std::string>& candidates) : run_(run) {
    const auto& vocabulary = run.model.config.vocabulary;
    const auto& text = run.model.codecs.get<codecs::TextCodec>(Modality::text);
    for (const std::string& c : candidates) {
      std::vector<int32_t> ids = model::text_ids(vocabulary, text, c);
      ids.push_back(vocabulary.control("<eos>"));
      ids_.push_back(std::move(ids));
    }
  }

  model::GenerationRequest request(const Image& image) const {
    model::GenerationRequest r;
    r.prompt.push_back(model::PromptPart::of_image(image));
    r.output = model::OutputKind::text;
    r.sampling = greedy_sampling();
    r.max_tokens = 32;
    return r;
  }

  // log p(candidate <eos> | the image's caption prompt), for every candidate.
  std::vector<double> logprobs(const Image& image) const {
    const std::vector<int32_t> prefix = run_.generator.prompt_ids(request(image));
    return model::continuation_logprobs(*run_.model.transformer, run_.model.config.context_length, prefix, ids_,
                                        run_.model.config.vocabulary.control("<pad>"), /*batch=*/64);
  }

 private:
  const EvalRun& run_;
  std::vector<std::vector<int32_t>> ids_;
};

// How many candidates score above candidate `truth` (0: it is the most likely).
int64_t rank_of(const std::vector<double>& scores, size_t truth) {
  return std::count_if(scores.begin(), scores.end(), [&](double s) { return s > scores[truth]; });
}

void fashion_captions(EvalRun& run) {
  const data::ImageSet set = data::ImageSet::load(data::image_set_path(run.options.fashion, "test"));
  const std::vector<std::string> classes = caption_texts(set);
  const CaptionScorer scorer(run, classes);
  const std::vector<int64_t> indices = spread_indices(set.size(), run.options.fashion_images);
  int64_t greedy = 0, ranked = 0;
  std::vector<Image> shown;
  std::vector<std::string> shown_captions;
  ProgressBar bar("captions", static_cast<int64_t>(indices.size()), run.log);
  for (size_t n = 0; n < indices.size(); ++n) {
    const Image image = set.image(indices[n]);
    const std::string truth = data::spoken_text(set.caption(indices[n]));
    const size_t label = static_cast<size_t>(std::find(classes.begin(), classes.end(), truth) - classes.begin());
    const std::string caption = sample_text(run.generator.generate(scorer.request(image)).samples.at(0));
    greedy += normalized(caption) == normalized(truth);
    ranked += rank_of(scorer.logprobs(image), label) == 0;
    if (shown.size() < 12) {
      shown.push_back(image);
      shown_captions.push_back(truth + " -> \"" + caption + "\"");
    }
    bar.update(static_cast<int64_t>(n + 1));
  }
  bar.finish();
  const auto count = static_cast<double>(indices.size());
  run.metrics["image_to_text"]["fashion"] = {{"images", indices.size()},
                                             {"greedy_accuracy", static_cast<double>(greedy) / count},
                                             {"ranked_accuracy", static_cast<double>(ranked) / count}};
  run.report.heading("Fashion-MNIST captions", 3);
  run.report.paragraph(std::to_string(indices.size()) + " test images spread over the split. Greedy: the caption " +
                       "decoded at temperature 0 must equal the class name. Ranked: the class name must be the most " +
                       "likely of the ten as a caption.");
  run.report.table({"images", "greedy accuracy", "ranked accuracy"},
                   {{std::to_string(indices.size()), percent(static_cast<double>(greedy) / count),
                     percent(static_cast<double>(ranked) / count)}});
  run.report.image_row(shown, shown_captions, 3);
}

void emoji_captions(EvalRun& run) {
  const data::ImageSet set = data::ImageSet::load(data::image_set_path(run.options.emoji, "test"));
  const std::vector<std::string> candidates = caption_texts(set);
  const CaptionScorer scorer(run, candidates);
  const std::vector<int64_t> indices = spread_indices(set.size(), run.options.emoji_images);
  int64_t top1 = 0, top5 = 0;
  std::vector<std::vector<std::string>> examples;
  ProgressBar bar("emoji", static_cast<int64_t>(indices.size()), run.log);
  for (size_t n = 0; n < indices.size(); ++n) {
    const std::string truth = data::spoken_text(set.caption(indices[n]));
    const auto label = static_cast<size_t>(std::find(candidates.begin(), candidates.end(), truth) - candidates.begin());
    const std::vector<double> scores = scorer.logprobs(set.image(indices[n]));
    const int64_t rank = rank_of(scores, label);
    top1 += rank == 0;
    top5 += rank < 5;
    if (examples.size() < 8) {
      const auto best = static_cast<size_t>(std::max_element(scores.begin(), scores.end()) - scores.begin());
      examples.push_back({truth, candidates[best], std::to_string(rank + 1)});
    }
    bar.update(static_cast<int64_t>(n + 1));
  }
  bar.finish();
  const auto count = static_cast<double>(indices.size());
  run.metrics["image_to_text"]["emoji"] = {{"images", indices.size()},
                                           {"candidates", candidates.size()},
                                           {"top1", static_cast<double>(top1) / count},
                                           {"top5", static_cast<double>(top5) / count}};
  run.report.heading("Emoji captions by likelihood", 3);
  run.report.paragraph(std::to_string(indices.size()) + " test emoji, each ranked against all " +
                       std::to_string(candidates.size()) + " captions of the test split by log p(caption | image). " +
                       "Top-1 " + percent(static_cast<double>(top1) / count) + ", top-5 " +
                       percent(static_cast<double>(top5) / count) +
                       " (chance: " + percent(1.0 / static_cast<double>(candidates.size())) + " and " +
                       percent(5.0 / static_cast<double>(candidates.size())) + ").");
  run.report.table({"true caption", "most likely caption", "rank of the true one"}, examples);
}

}  // namespace

void evaluate_captions(EvalRun& run) {
  if (!run.model.codecs.has(Modality::image)) return run.skip("image -> text", "the model has no image codec");
  run.report.heading("Image -> text");
  if (fs::exists(data::image_set_path(run.options.fashion, "test"))) {
    fashion_captions(run);
  } else {
    run.skip("image -> text (Fashion-MNIST)", "no test split at " + run.options.fashion);
  }
  if (fs::exists(data::image_set_path(run.options.emoji, "test"))) {
    emoji_captions(run);
  } else {
    run.skip("image -> text (emoji)", "no test split at " + run.options.emoji);
  }
}

}  // namespace tessera::eval
