#include "model/prompt.h"

namespace tessera::model {

std::vector<int32_t> text_ids(const codecs::Vocabulary& vocabulary, const codecs::TextCodec& codec,
                              std::string_view text) {
  std::vector<int32_t> ids;
  for (const int32_t id : codec.encode(text)) ids.push_back(vocabulary.to_global(codecs::Modality::text, id));
  return ids;
}

std::vector<int32_t> text_prompt(const codecs::Vocabulary& vocabulary, const codecs::TextCodec& codec,
                                 std::string_view text) {
  std::vector<int32_t> ids = {vocabulary.control("<bos>")};
  const std::vector<int32_t> rest = text_ids(vocabulary, codec, text);
  ids.insert(ids.end(), rest.begin(), rest.end());
  return ids;
}

}  // namespace tessera::model
