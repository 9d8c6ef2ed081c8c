#include "train/shard.h"

#include <cstring>

#include "core/error.h"

namespace tessera::train {

Tensor Shard::rows(const Tensor& all) const {
  if (whole()) return all;
  TESSERA_CHECK(all.ndim() >= 1, "shard: a batch of shape ", shape_str(all.shape()), " has no rows");
  const int64_t n = all.size(0);
  Shape shape = all.shape();
  shape[0] = count(n);
  Tensor out = Tensor::empty(shape, all.dtype());
  const size_t row_bytes = n > 0 ? all.nbytes() / static_cast<size_t>(n) : 0;
  std::memcpy(out.raw(), static_cast<const char*>(all.raw()) + static_cast<size_t>(first(n)) * row_bytes, out.nbytes());
  return out;
}

}  // namespace tessera::train
