#include <gtest/gtest.h>

#include "autograd/embedding.h"
#include "support/expect_error.h"
#include "support/op_check.h"

namespace tessera::testing {

TEST(Embedding, MatchesTorch) {
  check_op("lambda w, ids: F.embedding(ids, w)",
           {{randn({1, 1}), ints({1}, 0, 1)},
            {randn({17, 65}), ints({3, 5}, 0, 17)},
            {randn({3, 17}), ints({2, 3, 65}, 0, 3)},  // every id repeats many times
            {randn({65, 3}), ints({17}, 0, 65)},
            {randn({257, 129}), ints({4, 300}, 0, 257)}},  // large enough to run threaded
           [](const Inputs& in) { return embedding(in[0], in[1]); });
}

TEST(Embedding, IdOutOfRangeNamesIdPositionAndV) {
  const Tensor weight = Tensor::zeros({17, 4});
  for (int32_t bad : {17, -1, 1000}) {
    std::vector<int32_t> ids = {0, 1, 2, 3, 4, 5};
    ids[5] = bad;
    SCOPED_TRACE(::testing::Message() << "id " << bad);
    expect_error(
        [&] {
          embedding(weight, Tensor::from_vector(ids, {2, 3}));
        },
        {"id " + std::to_string(bad), "[1, 2]", "V = 17"});
  }
}

TEST(Embedding, RejectsWrongDtypesAndShapes) {
  expect_error([] { embedding(Tensor::zeros({17, 4}), Tensor::zeros({3})); }, {"i32"});
  expect_error([] { embedding(Tensor::zeros({17}), Tensor::zeros({3}, DType::i32)); }, {"(17,)"});
}

}  // namespace tessera::testing
