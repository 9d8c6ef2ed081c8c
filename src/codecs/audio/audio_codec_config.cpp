#include "codecs/audio/audio_codec_config.h"

#include "autograd/fsq.h"
#include "codecs/audio/residual_fsq.h"
#include "core/error.h"
#include "io/json_fields.h"

namespace tessera::codecs {

using nlohmann::json;

AudioCodecConfig AudioCodecConfig::from_json(const json& j, const std::string& source, const std::string& path) {
  AudioCodecConfig c;
  JsonFields top(j, source, path);

  top.object("mel");  // checks that it is there; parsed whole below, naming its own fields
  c.mel = MelConfig::from_json(j.at("mel"), source, path.empty() ? "mel" : path + ".mel");

  JsonFields encoder = top.object("encoder");
  c.widths = encoder.integers("widths", 1);
  c.downsamples = encoder.integer("downsamples", 0);
  c.res_blocks = encoder.integer("res_blocks", 0);
  c.norm_groups = encoder.integer("norm_groups", 1, 8);
  TESSERA_CHECK(c.downsamples < static_cast<int64_t>(c.widths.size()), encoder.where("downsamples"),
                "expected at most one fewer than the ", c.widths.size(), " levels of encoder.widths, found ",
                c.downsamples);
  for (const int64_t w : c.widths) {
    TESSERA_CHECK(w % c.norm_groups == 0, encoder.where("widths"), "expected multiples of norm_groups ", c.norm_groups,
                  ", found ", w);
  }
  encoder.check_all_read();

  JsonFields quantizer = top.object("quantizer");
  const std::string type = quantizer.string("type");
  TESSERA_CHECK(type == "fsq", quantizer.where("type"), "expected \"fsq\" (residual FSQ), found \"", type, "\"");
  for (const int64_t level : quantizer.integers("levels", 2)) {
    TESSERA_CHECK(level <= 1 << 16, quantizer.where("levels"), "expected levels of at most 65536, found ", level);
    c.fsq_levels.push_back(static_cast<int32_t>(level));
  }
  c.stages = quantizer.integer("stages", 1, 1);
  TESSERA_CHECK(c.stages <= kMaxResidualStages, quantizer.where("stages"), "expected at most ", kMaxResidualStages,
                " stages, found ", c.stages);
  check_residual_fsq(c.fsq_levels, c.stages, quantizer.where("levels"));
  quantizer.check_all_read();
  top.check_all_read();
  return c;
}

json AudioCodecConfig::to_json() const {
  return {
      {"mel", mel.to_json()},
      {"encoder",
       {{"widths", widths}, {"downsamples", downsamples}, {"res_blocks", res_blocks}, {"norm_groups", norm_groups}}},
      {"quantizer", {{"type", "fsq"}, {"levels", fsq_levels}, {"stages", stages}}}};
}

int64_t AudioCodecConfig::codebook_size() const { return fsq_codebook_size(fsq_levels, "audio codec"); }

}  // namespace tessera::codecs
