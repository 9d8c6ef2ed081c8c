// `tessera plot`: a line chart PNG from a CSV of points, drawn by the same chart code as the
// trainer's loss.png, for sweeps and any other numbers worth looking at.
//
// CSV: a header line `series,x,y`, then one point per line; points of one series are joined
// in file order, series are drawn in order of first appearance.
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "core/error.h"
#include "io/atomic_file.h"
#include "io/image.h"
#include "viz/line_chart.h"

namespace tessera::cli {

namespace {

struct PlotOptions {
  std::string csv, out, title, x_label = "x", y_label = "y";
  bool log_y = false, markers = true;
};

double parse_number(const std::string& text, const std::string& where, const char* column) {
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  TESSERA_CHECK(used > 0 && used == text.size(), where, ": column '", column, "': expected a number, found '", text,
                "'");
  return value;
}

std::vector<viz::Series> read_series(const std::string& path) {
  std::ifstream in(path);
  TESSERA_CHECK(in.good(), path, ": cannot open the CSV file");
  std::string line;
  TESSERA_CHECK(std::getline(in, line) && line == "series,x,y", path,
                ": line 1: expected the header 'series,x,y', found '", line, "'");
  // Tableau's first colours: distinct, and readable on white.
  const viz::Color palette[] = {{31, 119, 180}, {214, 39, 40}, {44, 160, 44}, {255, 127, 14}, {148, 103, 189}};
  std::vector<viz::Series> series;
  std::map<std::string, size_t> index;
  for (int number = 2; std::getline(in, line); ++number) {
    if (line.empty()) continue;
    const std::string where = str(path, ": line ", number);
    std::vector<std::string> cells;
    std::stringstream cells_in(line);
    for (std::string cell; std::getline(cells_in, cell, ',');) cells.push_back(cell);
    TESSERA_CHECK(cells.size() == 3, where, ": expected 3 comma-separated values (series,x,y), found ", cells.size());
    auto [it, added] = index.try_emplace(cells[0], series.size());
    if (added) series.push_back({cells[0], {}, palette[series.size() % std::size(palette)]});
    series[it->second].points.emplace_back(parse_number(cells[1], where, "x"), parse_number(cells[2], where, "y"));
  }
  TESSERA_CHECK(!series.empty(), path, ": no points after the header");
  return series;
}

void run_plot(const PlotOptions& o) {
  prepare_output_file(o.out, "--out");
  std::vector<viz::Series> series = read_series(o.csv);
  for (viz::Series& s : series) s.markers = o.markers;
  viz::ChartOptions chart;
  chart.title = o.title;
  chart.x_label = o.x_label;
  chart.y_label = o.y_label;
  chart.log_y = o.log_y;
  write_png(o.out, viz::draw_line_chart(series, chart));
}

}  // namespace

void add_plot_command(CLI::App& app) {
  auto o = std::make_shared<PlotOptions>();
  CLI::App* cmd = app.add_subcommand("plot", "Draw a line chart PNG from a CSV of points (header: series,x,y)");
  cmd->add_option("--csv", o->csv, "CSV file: a header line 'series,x,y', then one point per line")->required();
  cmd->add_option("--out", o->out, "PNG file to write")->required();
  cmd->add_option("--title", o->title, "Title above the chart");
  cmd->add_option("--x-label", o->x_label, "Label under the x axis");
  cmd->add_option("--y-label", o->y_label, "Label beside the y axis");
  cmd->add_flag("--log-y", o->log_y, "Logarithmic y axis (every y must be positive)");
  cmd->add_flag("!--no-markers", o->markers, "Join the points with lines only, without a square on each");
  cmd->callback([o] { run_plot(*o); });
}

}  // namespace tessera::cli
