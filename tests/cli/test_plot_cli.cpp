// `tessera plot`: a CSV of points becomes a chart PNG; bad CSV files are named by line.
#include <gtest/gtest.h>

#include "io/atomic_file.h"
#include "io/image.h"
#include "support/run_tessera.h"
#include "support/temp_dir.h"

namespace tessera {
namespace {

TEST(PlotCli, DrawsEverySeriesOfTheCsv) {
  TempDir dir;
  write_file_atomically(dir.path("points.csv"), "series,x,y\nfsq,1,20.5\nfsq,2,24\nvq,1,19\nvq,2,22.25\n");
  const CliRun r = run_tessera("plot --csv " + dir.path("points.csv") + " --out " + dir.path("chart.png") +
                               " --title 'PSNR' --x-label codes --y-label dB");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const Image chart = read_image(dir.path("chart.png"));
  EXPECT_EQ(chart.width, 800);
  EXPECT_EQ(chart.height, 480);
  // Both series' colours appear: the first two of the palette.
  bool blue = false, red = false;
  for (size_t i = 0; i + 2 < chart.pixels.size(); i += static_cast<size_t>(chart.channels)) {
    blue = blue || (chart.pixels[i] == 31 && chart.pixels[i + 1] == 119 && chart.pixels[i + 2] == 180);
    red = red || (chart.pixels[i] == 214 && chart.pixels[i + 1] == 39 && chart.pixels[i + 2] == 40);
  }
  EXPECT_TRUE(blue && red);
}

TEST(PlotCli, BadCsvFilesAreNamedByLineAndColumn) {
  TempDir dir;
  write_file_atomically(dir.path("header.csv"), "name,x,y\na,1,2\n");
  const CliRun h = run_tessera("plot --csv " + dir.path("header.csv") + " --out " + dir.path("h.png"));
  EXPECT_EQ(h.exit_code, 1);
  EXPECT_TRUE(contains(h.output, dir.path("header.csv") + ": line 1: expected the header 'series,x,y', found 'name,x,y'"))
      << h.output;
  write_file_atomically(dir.path("number.csv"), "series,x,y\na,1,2\na,2,oops\n");
  const CliRun n = run_tessera("plot --csv " + dir.path("number.csv") + " --out " + dir.path("n.png"));
  EXPECT_EQ(n.exit_code, 1);
  EXPECT_TRUE(contains(n.output, dir.path("number.csv") + ": line 3: column 'y': expected a number, found 'oops'"))
      << n.output;
  write_file_atomically(dir.path("cells.csv"), "series,x,y\na,1\n");
  const CliRun c = run_tessera("plot --csv " + dir.path("cells.csv") + " --out " + dir.path("c.png"));
  EXPECT_TRUE(contains(c.output, "line 2: expected 3 comma-separated values (series,x,y), found 2")) << c.output;
  EXPECT_FALSE(std::filesystem::exists(dir.path("n.png")));
}

}  // namespace
}  // namespace tessera
