#include "codecs/audio/audio_codec_config.h"

#include "autograd/fsq.h"
#include "codecs/audio/residual_fsq.h"
#include "codecs/conv_levels.h"
#include "core/error.h"

namespace tessera::codecs {

using nlohmann::json;

void AudioCodecConfig::fields(Fields& f) {
  f.section(
      "mel", [&](Fields& m) { mel.fields(m); }, true);
  f.section(
      "encoder", [&](Fields& encoder) { conv_level_fields(encoder, widths, downsamples, res_blocks, norm_groups); },
      true);
  f.section(
      "quantizer",
      [&](Fields& q) {
        std::string type = "fsq";
        q.choice("type", type, {"fsq"}, true);
        q.integers("levels", fsq_levels, {.min = 2, .max = 1 << 16, .required = true});
        q.integer("stages", stages, {.min = 1, .max = kMaxResidualStages});
        if (q.reading()) check_residual_fsq(fsq_levels, stages, q.where("levels"));
      },
      true);
}

AudioCodecConfig AudioCodecConfig::from_json(const json& j, const std::string& source, const std::string& path) {
  return read_config<AudioCodecConfig>(config_source(j, source, path));
}

json AudioCodecConfig::to_json() const { return write_config(*this); }

int64_t AudioCodecConfig::codebook_size() const { return fsq_codebook_size(fsq_levels, "audio codec"); }

}  // namespace tessera::codecs
