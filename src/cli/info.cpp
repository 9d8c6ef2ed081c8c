// `tessera info PATH`: what a model directory holds, read from config.json and the codec
// files (the weights are not loaded, so it is instant for any size): architecture, parameter
// counts, the vocabulary's layout, each codec (file, kind, id range, what it codes) and
// every file's size. Given a codec file (image
// or audio) instead, what that codec is: its kind, vocabulary, codes per image or tokens
// per second, and parameters.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "io/safetensors.h"
#include "model/model_dir.h"

namespace tessera::cli {

namespace {

namespace fs = std::filesystem;

// 1234567 -> "1,234,567"
std::string grouped(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string human_bytes(uintmax_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return buffer;
}

void print_parameters(const model::TransformerConfig& t) {
  const model::ParameterCounts n = model::count_parameters(t);
  std::printf("parameters: %s\n", grouped(n.total).c_str());
  std::printf("  %-12s %14s  (vocabulary %lld x dim %lld)\n", "embedding", grouped(n.embedding).c_str(),
              static_cast<long long>(t.vocab_size), static_cast<long long>(t.dim));
  std::printf("  %-12s %14s  (x %lld blocks = %s)\n", "per block", grouped(n.per_block).c_str(),
              static_cast<long long>(t.n_layers), grouped(n.per_block * t.n_layers).c_str());
  std::printf("  %-12s %14s\n", "final norm", grouped(n.final_norm).c_str());
  if (t.tied_embeddings) {
    std::printf("  %-12s %14s  (tied to the embedding)\n", "head", "0");
  } else {
    std::printf("  %-12s %14s\n", "head", grouped(n.head).c_str());
  }
}

void print_vocabulary(const codecs::Vocabulary& v) {
  std::printf("vocabulary: %lld tokens\n", static_cast<long long>(v.total()));
  std::printf("  %-8s %8s %8s  %s\n", "range", "offset", "size", "global ids");
  for (codecs::Modality m :
       {codecs::Modality::text, codecs::Modality::control, codecs::Modality::image, codecs::Modality::audio}) {
    const int64_t offset = v.offset(m), size = v.size(m);
    const std::string ids = size > 0 ? str("[", offset, ", ", offset + size, ")") : "none";
    std::printf("  %-8s %8lld %8lld  %s\n", codecs::modality_name(m), static_cast<long long>(offset),
                static_cast<long long>(size), ids.c_str());
  }
  std::string controls;
  for (const std::string& name : v.control_tokens)
    controls += str(controls.empty() ? "" : " ", name, "=", v.control(name));
  std::printf("  control tokens: %s\n", controls.c_str());
}

void print_codecs(const model::ModelConfig& c, const codecs::CodecRegistry& registry) {
  std::printf("codecs:%s\n", c.codecs.empty() ? " none" : "");
  for (const auto& [modality, entry] : c.codecs) {
    const std::string ids = str("[", entry.first, ", ", entry.end, ")");
    std::printf("  %-8s %-18s %-20s %-16s %s\n", codecs::modality_name(modality), entry.file.c_str(),
                entry.kind.c_str(), ids.c_str(), registry.at(modality).description().c_str());
  }
}

void run_info(const std::string& dir) {
  const model::ModelConfig c = model::load_model_config(dir);
  const codecs::CodecRegistry registry = model::load_model_codecs(dir, c);
  const model::TransformerConfig& t = c.transformer;
  std::printf("model: %s\n", dir.c_str());
  std::printf(
      "architecture: decoder-only transformer, %lld blocks, dim %lld, %lld heads of %lld, SwiGLU hidden %lld, "
      "QK-norm %s, RoPE theta %g, RMSNorm eps %g, %s head\n",
      static_cast<long long>(t.n_layers), static_cast<long long>(t.dim), static_cast<long long>(t.n_heads),
      static_cast<long long>(t.dim / t.n_heads), static_cast<long long>(t.hidden), t.qk_norm ? "on" : "off",
      static_cast<double>(t.rope_theta), static_cast<double>(t.norm_eps), t.tied_embeddings ? "tied" : "untied");
  std::printf("context length: %lld tokens\n", static_cast<long long>(c.context_length));
  print_parameters(t);
  print_vocabulary(c.vocabulary);
  print_codecs(c, registry);
  std::vector<fs::directory_entry> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry);
  }
  std::sort(files.begin(), files.end(), [](const auto& a, const auto& b) { return a.path() < b.path(); });
  std::printf("files:\n");
  for (const auto& f : files) {
    std::printf("  %-20s %12s\n", f.path().filename().c_str(), human_bytes(f.file_size()).c_str());
  }
}

std::string levels_str(const std::vector<int32_t>& levels) {
  std::string out;
  for (const int32_t l : levels) out += (out.empty() ? "" : ", ") + std::to_string(l);
  return "[" + out + "]";
}

void describe_image_codec(const std::string& path) {
  const auto codec = codecs::ImageCodec::load(path);
  const codecs::ImageCodecConfig& c = codec->config();
  std::printf("image codec: %s\n", path.c_str());
  std::printf("images: %lld x %lld x %lld (H x W x C)\n", static_cast<long long>(c.height),
              static_cast<long long>(c.width), static_cast<long long>(c.channels));
  std::printf("codes per image: %lld (a %lld x %lld grid, raster order)\n", static_cast<long long>(c.codes_per_image()),
              static_cast<long long>(c.grid_height()), static_cast<long long>(c.grid_width()));
  if (c.quantizer == codecs::QuantizerType::fsq) {
    std::printf("vocabulary: %lld codes (FSQ levels %s)\n", static_cast<long long>(c.vocab_size()),
                levels_str(c.fsq_levels).c_str());
  } else {
    std::printf("vocabulary: %lld codes (VQ, %lld dimensions)\n", static_cast<long long>(c.vocab_size()),
                static_cast<long long>(c.code_dim));
  }
  std::printf("parameters: %s\n", grouped(codec->num_parameters()).c_str());
}

void describe_audio_codec(const std::string& path) {
  const auto codec = codecs::AudioCodec::load(path);
  const codecs::AudioCodecConfig& c = codec->config();
  std::printf("audio codec: %s\n", path.c_str());
  std::printf("log-mel: %lld bins, %lld Hz, hop %lld (%g frames/s)\n", static_cast<long long>(c.mel.n_mels),
              static_cast<long long>(c.mel.sample_rate), static_cast<long long>(c.mel.hop_length),
              c.mel.frames_per_second());
  std::printf("tokens per second: %g (a code frame per %lld mel frames, %lld stages each, time-major)\n",
              c.tokens_per_second(), static_cast<long long>(c.frames_per_code()), static_cast<long long>(c.stages));
  std::printf("vocabulary: %lld codes (%lld stages x %lld, residual FSQ levels %s)\n",
              static_cast<long long>(c.vocab_size()), static_cast<long long>(c.stages),
              static_cast<long long>(c.codebook_size()), levels_str(c.fsq_levels).c_str());
  std::printf("parameters: %s\n", grouped(codec->num_parameters()).c_str());
}

void run_info_on(const std::string& path) {
  if (!fs::is_regular_file(path)) {
    run_info(path);
    return;
  }
  const Safetensors file = read_safetensors(path);
  const auto format = file.metadata.find("format");
  const std::string found = format == file.metadata.end() ? "" : format->second;
  if (found == codecs::ImageCodec::kKind) {
    describe_image_codec(path);
  } else if (found == codecs::AudioCodec::kKind) {
    describe_audio_codec(path);
  } else {
    fail(path, ": not a model directory, nor a codec file: metadata field 'format' is ",
         found.empty() ? "missing" : "\"" + found + "\"", ", expected \"", codecs::ImageCodec::kKind, "\" or \"",
         codecs::AudioCodec::kKind, "\"");
  }
}

}  // namespace

void add_info_command(CLI::App& app) {
  auto path = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("info",
                                     "Describe a model directory (architecture, parameters, vocabulary layout, codecs, "
                                     "file sizes) or a codec file (kind, vocabulary, token rate, parameters)");
  cmd->add_option("path", *path, "Model directory (holds config.json), or an image or audio codec file")->required();
  cmd->callback([path] { run_info_on(*path); });
}

}  // namespace tessera::cli
