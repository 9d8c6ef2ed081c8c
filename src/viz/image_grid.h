#pragma once
// A labelled grid of images: one row per label, the row's images side by side, each
// enlarged `scale` times (nearest neighbour) and turned RGB, on white with a 2-pixel gap
// and the label in the bitmap font at the left. For sample grids (a class per row).
#include <string>
#include <vector>

#include "io/image.h"

namespace tessera::viz {

// rows[i] are the images of labels[i]; rows may differ in length and images in size.
Image labelled_grid(const std::vector<std::vector<Image>>& rows, const std::vector<std::string>& labels,
                    int64_t scale = 2);

}  // namespace tessera::viz
