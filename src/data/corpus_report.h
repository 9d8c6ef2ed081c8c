#pragma once
// What a corpus build reports: DIR/corpus.json (data/corpus_build.h lists its fields) and the
// table printed at the end.
#include <cstdio>
#include <string>
#include <vector>

#include "codecs/codec.h"
#include "data/corpus_build.h"

namespace tessera::data {

// Writes DIR/corpus.json atomically; paths in it are relative to DIR. Only what the recipe
// and the codecs determine goes in (no timings, no count of clips spoken this time), so a
// rebuild writes the same bytes.
void write_corpus_json(const CorpusRecipe& recipe, const std::string& dir,
                       const std::vector<const codecs::Codec*>& codecs, const CorpusReport& report);

// Per split, per task: examples, skipped, unconditional, ids, and ids by modality.
void print_corpus_table(const CorpusReport& report, std::FILE* out);

}  // namespace tessera::data
