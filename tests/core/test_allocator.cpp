#include <gtest/gtest.h>

#include <cstdint>

#include "core/allocator.h"
#include "core/tensor.h"

namespace tessera {

TEST(HostAllocator, AlignsEveryBlockTo64Bytes) {
  for (size_t bytes : {size_t{0}, size_t{1}, size_t{100}, size_t{3} << 20, size_t{9} << 20}) {
    void* p = allocate_host(bytes);
    EXPECT_EQ(reinterpret_cast<uintptr_t>(p) % 64, 0u) << bytes;
    free_host(p, bytes);
  }
}

#if !defined(__SANITIZE_ADDRESS__)
// A tensor of the size just freed gets the freed block back instead of fresh pages.
TEST(HostAllocator, ReusesLargeBlocksOfTheSameSize) {
  release_cached_host_memory();
  const HostAllocatorStats before = host_allocator_stats();
  void* first = nullptr;
  {
    Tensor t = Tensor::empty({1 << 20});  // 4 MiB
    first = t.raw();
  }
  EXPECT_EQ(host_allocator_stats().cached_bytes, size_t{4} << 20);
  Tensor again = Tensor::empty({(1 << 20) - 7});  // rounds to the same block size
  EXPECT_EQ(again.raw(), first);
  const HostAllocatorStats after = host_allocator_stats();
  EXPECT_EQ(after.reuses, before.reuses + 1);
  EXPECT_EQ(after.fresh, before.fresh + 1);
  EXPECT_EQ(after.cached_bytes, 0u);
}

TEST(HostAllocator, ReleaseReturnsCachedBlocks) {
  { Tensor t = Tensor::empty({1 << 19}); }
  EXPECT_GT(host_allocator_stats().cached_bytes, 0u);
  release_cached_host_memory();
  EXPECT_EQ(host_allocator_stats().cached_bytes, 0u);
}
#endif

}  // namespace tessera
