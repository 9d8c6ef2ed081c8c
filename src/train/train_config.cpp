#include "train/train_config.h"

#include <cstdio>
#include <filesystem>
#include <set>

#include "core/error.h"
#include "data/text_corpus.h"
#include "io/atomic_file.h"

namespace tessera::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// One section of the recipe ("model", "data", ...): typed reads that name the field, and a
// check that no key was left unread (a misspelt field is an error, not a silent default).
class Section {
 public:
  Section(const json& top, const char* name, bool required, const std::string& source)
      : name_(name), source_(source) {
    if (!top.contains(name)) {
      TESSERA_CHECK(!required, source, ": field '", name, "': expected an object, found nothing");
      return;
    }
    obj_ = top.at(name);
    TESSERA_CHECK(obj_.is_object(), source, ": field '", name, "': expected an object, found ", obj_.dump());
  }

  int64_t integer(const char* key, int64_t fallback, bool required, int64_t min) {
    const json* v = find(key, required, "an integer");
    if (v == nullptr) return fallback;
    TESSERA_CHECK(v->is_number_integer() && v->get<int64_t>() >= min, source_, ": field '", name_, ".", key,
                  "': expected an integer >= ", min, ", found ", v->dump());
    return v->get<int64_t>();
  }
  float number(const char* key, float fallback, bool required) {
    const json* v = find(key, required, "a number");
    if (v == nullptr) return fallback;
    TESSERA_CHECK(v->is_number(), source_, ": field '", name_, ".", key, "': expected a number, found ", v->dump());
    return v->get<float>();
  }
  bool boolean(const char* key, bool fallback) {
    const json* v = find(key, false, "true or false");
    if (v == nullptr) return fallback;
    TESSERA_CHECK(v->is_boolean(), source_, ": field '", name_, ".", key, "': expected true or false, found ",
                  v->dump());
    return v->get<bool>();
  }
  std::string string(const char* key, const std::string& fallback) {
    const json* v = find(key, false, "a string");
    if (v == nullptr) return fallback;
    TESSERA_CHECK(v->is_string(), source_, ": field '", name_, ".", key, "': expected a string, found ", v->dump());
    return v->get<std::string>();
  }
  std::vector<std::string> paths(const char* key, const std::string& base_dir) {
    const json* v = find(key, true, "a list of shard files");
    TESSERA_CHECK(v->is_array() && !v->empty(), source_, ": field '", name_, ".", key,
                  "': expected a non-empty list of shard files, found ", v->dump());
    std::vector<std::string> out;
    for (const json& item : *v) {
      TESSERA_CHECK(item.is_string() && !item.get<std::string>().empty(), source_, ": field '", name_, ".", key,
                    "': expected shard file names, found ", item.dump());
      const fs::path path(item.get<std::string>());
      out.push_back(path.is_absolute() ? path.string() : (fs::path(base_dir) / path).lexically_normal().string());
    }
    return out;
  }

  void check_all_read() const {
    for (const auto& [key, value] : obj_.items()) {
      TESSERA_CHECK(read_.count(key) > 0, source_, ": field '", name_, ".", key, "': unknown field (a typo?)");
    }
  }

 private:
  const json* find(const char* key, bool required, const char* expected) {
    read_.insert(key);
    if (!obj_.is_object() || !obj_.contains(key)) {
      TESSERA_CHECK(!required, source_, ": field '", name_, ".", key, "': expected ", expected, ", found nothing");
      return nullptr;
    }
    return &obj_.at(key);
  }

  std::string name_;
  const std::string& source_;
  json obj_;
  std::set<std::string> read_;
};

void check_field(bool ok, const std::string& source, const char* field, const std::string& expected, double found) {
  TESSERA_CHECK(ok, source, ": field '", field, "': expected ", expected, ", found ", found);
}

}  // namespace

TrainConfig TrainConfig::load(const std::string& path) {
  json j;
  try {
    j = json::parse(read_file(path));
  } catch (const json::parse_error& e) {
    fail(path, ": not valid JSON: ", e.what());
  }
  return from_json(j, path, fs::path(path).parent_path().string());
}

TrainConfig TrainConfig::from_json(const json& j, const std::string& source, const std::string& base_dir) {
  TESSERA_CHECK(j.is_object(), source, ": expected a JSON object (a training recipe), found ", j.dump());
  for (const auto& [key, value] : j.items()) {
    static const std::set<std::string> sections = {"model", "data", "optimization", "eval", "checkpoint", "log"};
    TESSERA_CHECK(sections.count(key) > 0, source, ": field '", key,
                  "': unknown section (expected model, data, optimization, eval, checkpoint, log)");
  }
  TrainConfig c;
  c.source = source;

  Section m(j, "model", true, source);
  c.model.dim = m.integer("dim", 0, true, 1);
  c.model.n_layers = m.integer("n_layers", 0, true, 1);
  c.model.n_heads = m.integer("n_heads", 0, true, 1);
  c.model.hidden = m.integer("hidden", 0, true, 1);
  c.context_length = m.integer("context_length", 0, true, 1);
  c.model.tied_embeddings = m.boolean("tied_embeddings", true);
  c.model.qk_norm = m.boolean("qk_norm", true);
  c.model.rope_theta = m.number("rope_theta", 10000.0f, false);
  c.model.init_std = m.number("init_std", 0.02f, false);
  m.check_all_read();

  Section d(j, "data", true, source);
  c.train_shards = d.paths("train", base_dir);
  c.valid_shards = d.paths("valid", base_dir);
  c.sampling = data::parse_sampling(d.string("sampling", "random"), source, "data.sampling");
  d.check_all_read();

  Section o(j, "optimization", true, source);
  c.steps = o.integer("steps", 0, true, 1);
  c.batch_size = o.integer("batch_size", 0, true, 1);
  c.micro_batches = o.integer("micro_batches", 1, false, 1);
  c.lr = o.number("lr", 0, true);
  c.min_lr = o.number("min_lr", c.lr / 10, false);
  c.warmup = o.integer("warmup", 0, false, 0);
  c.weight_decay = o.number("weight_decay", c.weight_decay, false);
  c.beta1 = o.number("beta1", c.beta1, false);
  c.beta2 = o.number("beta2", c.beta2, false);
  c.clip = o.number("clip", c.clip, false);
  c.z_loss = o.number("z_loss", c.z_loss, false);
  c.seed = static_cast<uint64_t>(o.integer("seed", 1, false, 0));
  o.check_all_read();

  Section e(j, "eval", false, source);
  c.eval_every = e.integer("every", c.eval_every, false, 0);
  c.eval_batches = e.integer("batches", c.eval_batches, false, 1);
  e.check_all_read();
  Section k(j, "checkpoint", false, source);
  c.checkpoint_every = k.integer("every", c.checkpoint_every, false, 0);
  k.check_all_read();
  Section l(j, "log", false, source);
  c.log_every = l.integer("every", c.log_every, false, 1);
  l.check_all_read();

  c.validate();
  return c;
}

void TrainConfig::validate() const {
  const std::string& s = source;
  check_field(model.dim > 0, s, "model.dim", "a positive integer", model.dim);
  check_field(model.n_heads > 0 && model.dim % model.n_heads == 0, s, "model.n_heads",
              str("a divisor of model.dim (", model.dim, ")"), model.n_heads);
  check_field((model.dim / model.n_heads) % 2 == 0, s, "model.n_heads",
              "an even head dimension dim / n_heads (RoPE rotates pairs)", model.n_heads);
  check_field(model.rope_theta > 0, s, "model.rope_theta", "a positive number", model.rope_theta);
  check_field(model.init_std > 0, s, "model.init_std", "a positive number", model.init_std);
  check_field(steps > 0, s, "optimization.steps", "a positive integer", steps);
  check_field(batch_size > 0, s, "optimization.batch_size", "a positive integer", batch_size);
  check_field(micro_batches > 0 && batch_size % micro_batches == 0, s, "optimization.micro_batches",
              str("a divisor of optimization.batch_size (", batch_size, ")"), micro_batches);
  check_field(lr > 0, s, "optimization.lr", "a positive learning rate", lr);
  check_field(min_lr >= 0 && min_lr <= lr, s, "optimization.min_lr", str("a value from 0 to lr (", lr, ")"), min_lr);
  check_field(warmup >= 0 && warmup <= steps, s, "optimization.warmup", str("0 to steps (", steps, ")"), warmup);
  check_field(weight_decay >= 0, s, "optimization.weight_decay", "a value >= 0", weight_decay);
  check_field(beta1 >= 0 && beta1 < 1, s, "optimization.beta1", "a value in [0, 1)", beta1);
  check_field(beta2 >= 0 && beta2 < 1, s, "optimization.beta2", "a value in [0, 1)", beta2);
  check_field(clip >= 0, s, "optimization.clip", "a norm >= 0 (0 turns clipping off)", clip);
  check_field(z_loss >= 0, s, "optimization.z_loss", "a weight >= 0", z_loss);
  check_field(eval_every >= 0, s, "eval.every", "a step count >= 0 (0: only at the end)", eval_every);
  check_field(eval_batches > 0, s, "eval.batches", "a positive integer", eval_batches);
  check_field(checkpoint_every >= 0, s, "checkpoint.every", "a step count >= 0 (0: only at the end)",
              checkpoint_every);
  check_field(log_every > 0, s, "log.every", "a positive integer", log_every);
}

json TrainConfig::to_json() const {
  return {{"model",
           {{"dim", model.dim},
            {"n_layers", model.n_layers},
            {"n_heads", model.n_heads},
            {"hidden", model.hidden},
            {"context_length", context_length},
            {"tied_embeddings", model.tied_embeddings},
            {"qk_norm", model.qk_norm},
            {"rope_theta", model.rope_theta},
            {"init_std", model.init_std}}},
          {"data", {{"train", train_shards}, {"valid", valid_shards}, {"sampling", data::sampling_name(sampling)}}},
          {"optimization",
           {{"steps", steps},
            {"batch_size", batch_size},
            {"micro_batches", micro_batches},
            {"lr", lr},
            {"min_lr", min_lr},
            {"warmup", warmup},
            {"weight_decay", weight_decay},
            {"beta1", beta1},
            {"beta2", beta2},
            {"clip", clip},
            {"z_loss", z_loss},
            {"seed", seed}}},
          {"eval", {{"every", eval_every}, {"batches", eval_batches}}},
          {"checkpoint", {{"every", checkpoint_every}}},
          {"log", {{"every", log_every}}}};
}

model::ModelConfig TrainConfig::model_config(const codecs::TextCodec& codec) const {
  model::ModelConfig c;
  c.transformer = model;
  c.context_length = context_length;
  c.vocabulary = data::text_vocabulary(codec);
  c.add_codec(codec);
  c.finalize(source);
  return c;
}

std::string fingerprint(const json& j) {
  uint64_t hash = 0xcbf29ce484222325ull;
  for (const unsigned char byte : j.dump()) hash = (hash ^ byte) * 0x100000001b3ull;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(hash));
  return hex;
}

}  // namespace tessera::train
