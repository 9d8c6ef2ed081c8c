#include "data/random_state.h"

#include <algorithm>

namespace tessera::data {

void rng_field(Fields& f, const char* key, Rng& rng) {
  const Rng::State s = rng.state();
  nlohmann::json words = {s[0], s[1], s[2], s[3]};
  f.any(key, words, true);
  if (!f.reading()) return;
  const bool ok =
      words.is_array() && words.size() == 4 &&
      std::all_of(words.begin(), words.end(), [](const nlohmann::json& w) { return w.is_number_unsigned(); });
  f.check(ok, key, "4 unsigned 64-bit words", words.dump());
  rng.set_state(
      {words[0].get<uint64_t>(), words[1].get<uint64_t>(), words[2].get<uint64_t>(), words[3].get<uint64_t>()});
}

}  // namespace tessera::data
