#include "model/prompt.h"

namespace tessera::model {

std::vector<int32_t> text_prompt(const codecs::Vocabulary& vocabulary, const codecs::TextCodec& codec,
                                 std::string_view text) {
  std::vector<int32_t> ids = {vocabulary.control("<bos>")};
  for (const int32_t id : codec.encode(text)) ids.push_back(vocabulary.to_global(codecs::Modality::text, id));
  return ids;
}

}  // namespace tessera::model
