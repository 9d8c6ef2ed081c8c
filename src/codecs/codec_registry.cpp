#include "codecs/codec_registry.h"

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"

namespace tessera::codecs {

const std::vector<Modality>& codec_modalities() {
  static const std::vector<Modality> modalities = {Modality::text, Modality::image, Modality::audio};
  return modalities;
}

std::vector<std::string> codec_kinds(Modality m) {
  switch (m) {
    case Modality::text:
      return {TextCodec::kKind};
    case Modality::image:
      return {ImageCodec::kKind};
    case Modality::audio:
      return {AudioCodec::kKind};
    case Modality::control:
      return {};
  }
  return {};
}

std::unique_ptr<Codec> load_codec(const std::string& kind, const std::string& path) {
  if (kind == TextCodec::kKind) return std::make_unique<TextCodec>(TextCodec::load(path));
  if (kind == ImageCodec::kKind) return ImageCodec::load(path);
  if (kind == AudioCodec::kKind) return AudioCodec::load(path);
  fail(path, ": no codec of kind \"", kind, "\"; the kinds are \"", TextCodec::kKind, "\", \"", ImageCodec::kKind,
       "\" and \"", AudioCodec::kKind, "\"");
}

void CodecRegistry::add(std::unique_ptr<const Codec> codec) {
  const Modality m = codec->modality();
  TESSERA_CHECK(!has(m), owner_, ": a second ", modality_name(m), " codec (\"", codec->kind(),
                "\"); a model has one codec per modality");
  codecs_.emplace(m, std::move(codec));
}

const Codec& CodecRegistry::at(Modality m) const {
  const auto it = codecs_.find(m);
  if (it != codecs_.end()) return *it->second;
  std::string present;
  for (const auto& [modality, codec] : codecs_) present += str(present.empty() ? "" : ", ", modality_name(modality));
  fail(owner_, ": the model has no ", modality_name(m), " codec (its codecs: ", present.empty() ? "none" : present,
       ")");
}

std::vector<const Codec*> CodecRegistry::all() const {
  std::vector<const Codec*> out;
  for (const auto& [modality, codec] : codecs_) out.push_back(codec.get());
  return out;
}

}  // namespace tessera::codecs
