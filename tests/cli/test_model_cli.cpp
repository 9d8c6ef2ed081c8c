// `tessera info` and `tessera generate` on a small model folder, as a user runs them.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "io/atomic_file.h"
#include "model/transformer.h"
#include "support/run_tessera.h"
#include "support/temp_dir.h"
#include "support/tiny_model.h"

namespace tessera::testing {
namespace {

class ModelCli : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir;
    TinyModelOptions options;
    options.context_length = 32;
    config_ = new model::ModelConfig(write_tiny_model(tmp_->path("tiny"), options));
  }
  static void TearDownTestSuite() {
    delete config_;
    delete tmp_;
  }
  static std::string model() { return tmp_->path("tiny"); }
  static TempDir* tmp_;
  static model::ModelConfig* config_;
};
TempDir* ModelCli::tmp_ = nullptr;
model::ModelConfig* ModelCli::config_ = nullptr;

TEST_F(ModelCli, InfoDescribesTheModel) {
  const CliRun r = run_tessera("info " + model());
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const model::ParameterCounts n = model::count_parameters(config_->transformer);
  EXPECT_EQ(n.total, 30624) << "the tiny model's parameters, counted by hand: 311*32 + 2*10320 + 32";
  EXPECT_TRUE(contains(r.output, "2 blocks, dim 32, 4 heads of 8, SwiGLU hidden 64, QK-norm on")) << r.output;
  EXPECT_TRUE(contains(r.output, "context length: 32 tokens")) << r.output;
  EXPECT_TRUE(contains(r.output, "parameters: 30,624")) << r.output;
  EXPECT_TRUE(contains(r.output, "(x 2 blocks = 20,640)")) << r.output;
  EXPECT_TRUE(contains(r.output, "(tied to the embedding)")) << r.output;
  EXPECT_TRUE(contains(r.output, "vocabulary: 311 tokens")) << r.output;
  EXPECT_TRUE(contains(r.output, "  text            0      300  [0, 300)")) << r.output;
  EXPECT_TRUE(contains(r.output, "  control       300       11  [300, 311)")) << r.output;
  EXPECT_TRUE(contains(r.output, "  image         311        0  none")) << r.output;
  EXPECT_TRUE(contains(r.output, "<bos>=300 <eos>=301")) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "  text     text.model         sentencepiece        [0, 300)         "
                       "SentencePiece BPE, 300 pieces, byte fallback"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "  model.safetensors ")) << r.output;
  EXPECT_TRUE(contains(r.output, "  config.json ")) << r.output;

  const CliRun missing = run_tessera("info " + tmp_->path("nowhere"));
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.output, "error: " + tmp_->path("nowhere") + ": no such model directory"))
      << missing.output;
}

TEST_F(ModelCli, InfoListsEveryCodec) {
  TinyModelOptions every;
  every.image_codec = every.audio_codec = true;
  write_tiny_model(tmp_->path("multimodal"), every);
  const CliRun r = run_tessera("info " + tmp_->path("multimodal"));
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "  image         311      125  [311, 436)")) << r.output;
  EXPECT_TRUE(contains(r.output,
                       "  image    image.safetensors  tessera-image-codec  [311, 436)       "
                       "16 x 16 x 1 -> 16 codes of 125 (a 4 x 4 grid, FSQ)"))
      << r.output;
  EXPECT_TRUE(contains(r.output,
                       "  audio    audio.safetensors  tessera-audio-codec  [436, 686)       "
                       "16000 Hz, 16 mel bins -> 50 codes/s of 250 (2 residual FSQ stages of 125)"))
      << r.output;
  EXPECT_TRUE(contains(r.output, "  image.safetensors ")) << r.output;
}

TEST_F(ModelCli, GenerateStreamsAContinuationAndItsSpeed) {
  const CliRun r = run_tessera("generate " + model() + " --prompt 'tessera model' --max-tokens 5 --seed 1");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "prefill: ")) << r.output;
  EXPECT_TRUE(contains(r.output, " tokens/s); decode: ")) << r.output;
  EXPECT_TRUE(contains(r.output, "stopped: ")) << r.output;
  // Greedy decoding is deterministic; so is sampling with a seed. (The text printed, not
  // the timing line after it.)
  const auto text = [](const std::string& arguments) {
    const std::string out = run_tessera(arguments).output;
    return out.substr(0, out.find("prefill: "));
  };
  const std::string greedy = "generate " + model() + " --prompt 'a word' --max-tokens 8 --temperature 0";
  EXPECT_EQ(text(greedy), text(greedy));
  const std::string seeded = "generate " + model() + " --prompt 'a word' --max-tokens 8 --top-k 20 --seed 7";
  EXPECT_EQ(text(seeded), text(seeded));
  EXPECT_NE(text(seeded), text(seeded + "0")) << "another seed, another continuation";
  const CliRun two = run_tessera("generate " + model() + " --prompt x --max-tokens 3 --samples 2");
  EXPECT_TRUE(contains(two.output, "--- sample 2 of 2 ---")) << two.output;
}

TEST_F(ModelCli, GenerateRefusesAPromptLongerThanTheContext) {
  std::string prompt;
  for (int i = 0; i < 20; ++i) prompt += "number " + std::to_string(i) + " ";
  const CliRun r = run_tessera("generate " + model() + " --prompt '" + prompt + "'");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "error: the prompt is ")) << r.output;
  EXPECT_TRUE(contains(r.output, "longer than the model's context length of 32 tokens")) << r.output;
}

TEST_F(ModelCli, GenerateRefusesBadSamplingSettings) {
  const CliRun r = run_tessera("generate " + model() + " --prompt x --top-p 0");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_TRUE(contains(r.output, "top_p must be in (0, 1]")) << r.output;
  const CliRun t = run_tessera("generate " + model() + " --prompt x --temperature -1");
  EXPECT_NE(t.exit_code, 0);
  EXPECT_TRUE(contains(t.output, "--temperature")) << t.output;
}

// A model directory damaged after it was written: each problem is named, with the file,
// and the command exits non-zero.
TEST_F(ModelCli, DamagedModelDirectoriesAreClearErrors) {
  namespace fs = std::filesystem;
  const auto damaged_copy = [](const std::string& name) {
    const std::string dir = tmp_->path(name);
    fs::copy(model(), dir, fs::copy_options::recursive);
    return dir;
  };
  const std::string corrupt = damaged_copy("corrupt-config");
  write_file_atomically(corrupt + "/config.json", "{\"format\": \"tessera-model\", ");
  const CliRun c = run_tessera("generate " + corrupt + " --prompt x");
  EXPECT_EQ(c.exit_code, 1) << c.output;
  EXPECT_TRUE(contains(c.output, "error: " + corrupt + "/config.json: not valid JSON")) << c.output;

  // A codec with another vocabulary: the text codec of a model whose text range is larger.
  const std::string other = tmp_->path("other-model");
  TinyModelOptions bigger;
  bigger.text_vocab = 320;
  write_tiny_model(other, bigger);
  const std::string mismatched = damaged_copy("mismatched-codec");
  fs::copy_file(other + "/text.model", mismatched + "/text.model", fs::copy_options::overwrite_existing);
  const CliRun m = run_tessera("generate " + mismatched + " --prompt x");
  EXPECT_EQ(m.exit_code, 1) << m.output;
  EXPECT_TRUE(contains(m.output, "error: " + mismatched +
                                     "/config.json: field 'codecs.text.ids': expected a range "
                                     "of 320 ids, the vocabulary of " +
                                     mismatched +
                                     "/text.model, found [0, 300], 300 ids "
                                     "(the codec does not belong to this model)"))
      << m.output;

  const std::string truncated = damaged_copy("truncated-weights");
  fs::resize_file(truncated + "/model.safetensors", fs::file_size(truncated + "/model.safetensors") / 2);
  const CliRun t = run_tessera("generate " + truncated + " --prompt x");
  EXPECT_EQ(t.exit_code, 1) << t.output;
  EXPECT_TRUE(contains(t.output, truncated + "/model.safetensors")) << t.output;
}

}  // namespace
}  // namespace tessera::testing
