#include "codecs/codec_registry.h"

#include "codecs/audio/audio_codec.h"
#include "codecs/image/image_codec.h"
#include "codecs/text_codec.h"
#include "io/atomic_file.h"
#include "io/safetensors.h"

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

std::unique_ptr<Codec> load_codec_file(const std::string& path) {
  const std::string bytes = read_file(path);
  // A safetensors file opens with its header's length (8 bytes, little-endian) and then the
  // header's JSON object; a SentencePiece model is a protobuf, whose first byte is a field tag.
  uint64_t header = 0;
  for (int i = 7; i >= 0 && bytes.size() >= 8; --i) header = (header << 8) | static_cast<unsigned char>(bytes[i]);
  const bool safetensors = bytes.size() > 8 && bytes[8] == '{' && header <= bytes.size() - 8;
  if (!safetensors) return std::make_unique<TextCodec>(TextCodec::from_bytes(bytes, path));
  const Safetensors file = parse_safetensors(bytes, path);
  const auto format = file.metadata.find("format");
  TESSERA_CHECK(format != file.metadata.end(), path, ": a safetensors file without a metadata \"format\": expected a ",
                "codec file (\"", ImageCodec::kKind, "\" or \"", AudioCodec::kKind, "\")");
  return load_codec(format->second, path);
}

void CodecFiles::fields(Fields& f) {
  f.path("text", text, true);
  f.path("image", image);
  f.path("audio", audio);
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
