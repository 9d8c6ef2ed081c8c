#include "train/text_task.h"

#include <filesystem>

#include "autograd/cross_entropy.h"
#include "codecs/text_codec.h"
#include "core/progress.h"
#include "data/text_corpus.h"
#include "io/safetensors.h"
#include "model/model_dir.h"
#include "train/checkpoint.h"
#include "train/flops.h"

namespace tessera::train {

namespace fs = std::filesystem;

void TextTaskConfig::fields(Fields& f) {
  f.section(
      "model",
      [&](Fields& m) {
        model.fields(m, false);
        m.integer("context_length", context_length, {.min = 1, .required = true});
      },
      true);
  f.section(
      "codecs", [&](Fields& c) { c.path("text", text_codec, true); }, true);
  f.section(
      "data",
      [&](Fields& d) {
        d.paths("train", train_shards, true);
        d.paths("valid", valid_shards, true);
        data::sampling_field(d, "sampling", sampling);
      },
      true);
  f.section("loss", [&](Fields& l) { l.number("z_loss", z_loss, {.min = 0}); });
  f.section("eval", [&](Fields& e) { e.integer("batches", eval_batches, {.min = 1}); });
}

namespace {

class TextTask : public Task {
 public:
  TextTask(const TextTaskConfig& c, const LoopConfig& loop)
      : c_(c),
        loop_(loop),
        codec_(codecs::TextCodec::load(c.text_codec)),
        model_config_(model_config()),
        init_rng_(static_cast<uint64_t>(loop.optimization.seed)),
        model_(std::make_unique<model::Transformer>(model_config_.transformer, init_rng_)),
        train_(c.train_shards, model_config_.transformer.vocab_size, loop.optimization.micro_batch_size(),
               c.context_length, c.sampling, static_cast<uint64_t>(loop.optimization.seed) + 1) {
    data::TokenBatches valid(c.valid_shards, model_config_.transformer.vocab_size, loop.optimization.micro_batch_size(),
                             c.context_length, data::Sampling::sequential, 0);
    for (int64_t i = 0; i < c.eval_batches; ++i) valid_.push_back(valid.next());
  }

  nn::Module& module() override { return *model_; }

  std::string describe() const override {
    const model::TransformerConfig& t = model_config_.transformer;
    const OptimizationConfig& o = loop_.optimization;
    return str("model: ", format_count(static_cast<double>(model_->num_parameters())), " parameters (",
               format_count(static_cast<double>(matmul_parameters(*model_))), " in matmuls), ", t.n_layers,
               " layers, dim ", t.dim, ", context ", c_.context_length, ", vocabulary ", t.vocab_size, "\n",
               "tokens per step: ", units_per_step(), " (batch ", o.batch_size, " x context ", c_.context_length, ", ",
               o.micro_batches, " micro-batch", o.micro_batches == 1 ? "" : "es", ")\n",
               "FLOPs per token: ", format_count(flops_per_token(*model_, c_.context_length)),
               " (6 x matmul parameters + 6 x layers x context x dim)\n");
  }
  const char* unit() const override { return "tokens"; }
  int64_t units_per_step() const override { return loop_.optimization.batch_size * c_.context_length; }
  double flops_per_step() const override {
    return flops_per_token(*model_, c_.context_length) * static_cast<double>(units_per_step());
  }

  Tensor next_loss() override {
    const data::Batch batch = train_.next();
    CrossEntropyOptions options;
    options.z_loss = static_cast<float>(c_.z_loss);
    return cross_entropy(model_->forward(batch.ids), batch.targets, options);
  }

  Metrics evaluate() override {
    double total = 0;
    for (const data::Batch& batch : valid_) total += cross_entropy(model_->forward(batch.ids), batch.targets).item();
    return {{"valid_loss", total / static_cast<double>(valid_.size())}};
  }

  void state_fields(Fields& f) override {
    f.section(
        "data", [&](Fields& d) { train_.fields(d); }, true);
  }

  void save(const std::string& dir) const override { model::save_model(dir, model_config_, *model_, {&codec_}); }
  void load(const std::string& dir) override {
    check_same_config(write_config(model::load_model_config(dir)), write_config(model_config_),
                      (fs::path(dir) / "config.json").string());
    const Safetensors weights = read_safetensors((fs::path(dir) / "model.safetensors").string());
    model_->load_parameters(weights.tensors, weights.source);
  }

 private:
  // The model directory's config: a text-only vocabulary over the codec (the layout text
  // shards are written in, data::text_vocabulary).
  model::ModelConfig model_config() const {
    model::ModelConfig m;
    m.transformer = c_.model;
    m.context_length = c_.context_length;
    m.vocabulary = data::text_vocabulary(codec_);
    m.add_codec(codec_);
    m.finalize(c_.text_codec);
    return m;
  }

  const TextTaskConfig c_;
  const LoopConfig loop_;
  codecs::TextCodec codec_;
  model::ModelConfig model_config_;
  Rng init_rng_;
  std::unique_ptr<model::Transformer> model_;
  data::TokenBatches train_;
  std::vector<data::Batch> valid_;
};

}  // namespace

std::unique_ptr<Task> TextTaskConfig::make(const LoopConfig& loop, std::FILE* out) const {
  return std::make_unique<TextTask>(*this, loop);
}

}  // namespace tessera::train
