// `tessera info MODEL`: what a model directory holds, read from config.json alone (no
// weights are loaded, so it is instant for any size): architecture, parameter counts,
// the vocabulary's layout, the codec files and every file's size.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
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

void run_info(const std::string& dir) {
  const model::ModelConfig c = model::load_model_config(dir);
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
  std::printf("codecs:%s\n", c.codecs.empty() ? " none" : "");
  for (const auto& [modality, file] : c.codecs) std::printf("  %-8s %s\n", modality.c_str(), file.c_str());
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

}  // namespace

void add_info_command(CLI::App& app) {
  auto dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "info", "Describe a model directory: architecture, parameters, vocabulary layout, codecs, file sizes");
  cmd->add_option("model", *dir, "Model directory (holds config.json)")->required();
  cmd->callback([dir] { run_info(*dir); });
}

}  // namespace tessera::cli
