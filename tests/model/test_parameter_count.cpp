// The parameter counts `tessera info` prints from a config alone match a built model.
#include <gtest/gtest.h>

#include "model/transformer.h"

namespace tessera::model {
namespace {

TEST(ParameterCount, MatchesTheBuiltModel) {
  for (bool tied : {false, true}) {
    for (bool qk_norm : {false, true}) {
      TransformerConfig c;
      c.vocab_size = 71;
      c.dim = 24;
      c.n_layers = 3;
      c.n_heads = 3;
      c.hidden = 40;
      c.tied_embeddings = tied;
      c.qk_norm = qk_norm;
      Rng rng(0);
      const Transformer model(c, rng);
      const ParameterCounts n = count_parameters(c);
      EXPECT_EQ(n.total, model.num_parameters()) << "tied " << tied << ", qk_norm " << qk_norm;
      EXPECT_EQ(n.per_block, model.blocks[0]->num_parameters());
      EXPECT_EQ(n.embedding, model.embed.num_parameters());
      EXPECT_EQ(n.head, tied ? 0 : model.head->num_parameters());
    }
  }
}

}  // namespace
}  // namespace tessera::model
