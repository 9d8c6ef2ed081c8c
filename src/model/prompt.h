#pragma once
// How text becomes a model's input: <bos>, then the text codec's ids moved into the
// vocabulary's text range, the way `tessera data text` begins every line of a shard.
#include <cstdint>
#include <string_view>
#include <vector>

#include "codecs/text_codec.h"
#include "codecs/vocabulary.h"

namespace tessera::model {

// Global ids of text: the codec's ids moved into the text range (a prompt's text part).
std::vector<int32_t> text_ids(const codecs::Vocabulary& vocabulary, const codecs::TextCodec& codec,
                              std::string_view text);
// Global ids: <bos> and then text's ids.
std::vector<int32_t> text_prompt(const codecs::Vocabulary& vocabulary, const codecs::TextCodec& codec,
                                 std::string_view text);

}  // namespace tessera::model
