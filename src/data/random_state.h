#pragma once
// A generator's state in a saved training state (a checkpoint's trainer.json): its four
// words, so that a resumed run draws what the uninterrupted one would have.
#include "core/rng.h"
#include "io/fields.h"

namespace tessera::data {

// Reads or writes `rng` as the field `key`: a list of 4 unsigned 64-bit words.
void rng_field(Fields& f, const char* key, Rng& rng);

}  // namespace tessera::data
