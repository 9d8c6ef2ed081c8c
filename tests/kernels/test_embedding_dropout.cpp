#include <gtest/gtest.h>

#include "core/rng.h"
#include "core/threads.h"
#include "kernels/cpu/dropout.h"
#include "kernels/cpu/embedding.h"

namespace tessera::kernels::cpu {

// Repeated ids add up in id order whatever the thread count, so the bits never change.
TEST(EmbeddingBackward, SameBitsWhateverTheThreadCount) {
  const int saved = num_threads();
  Rng rng(4);
  const int64_t vocab = 50, channels = 129, n = 4000;
  const Tensor ids = rand_int({n}, rng, 0, static_cast<int32_t>(vocab));
  const Tensor grad = randn({n, channels}, rng);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3, 8}) {
    set_num_threads(threads);
    Tensor gw = Tensor::empty({vocab, channels});
    embedding_backward(gw.data<float>(), grad.data<float>(), ids.data<int32_t>(), n, vocab, channels);
    results.push_back(gw.to_vector());
  }
  for (size_t i = 1; i < results.size(); ++i) EXPECT_EQ(results[0], results[i]);
  set_num_threads(saved);
}

TEST(FirstInvalidId, FindsTheFirstOutOfRange) {
  const std::vector<int32_t> ids = {0, 4, 5, -1, 7};
  EXPECT_EQ(first_invalid_id(ids.data(), 5, 5), 2);
  EXPECT_EQ(first_invalid_id(ids.data(), 5, 8), 3);
  EXPECT_EQ(first_invalid_id(ids.data(), 3, 6), -1);
}

TEST(DropoutApply, SameMaskWhateverTheThreadCount) {
  const int saved = num_threads();
  const std::vector<float> x(100000, 1.0f);
  std::vector<std::vector<float>> results;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    std::vector<float> out(x.size());
    dropout_apply(out.data(), x.data(), static_cast<int64_t>(x.size()), 1234, 0.25f);
    results.push_back(out);
  }
  EXPECT_EQ(results[0], results[1]);
  EXPECT_EQ(results[0], results[2]);
  set_num_threads(saved);
}

}  // namespace tessera::kernels::cpu
