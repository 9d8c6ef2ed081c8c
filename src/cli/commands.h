#pragma once
// Each `tessera <verb>` registers itself on the one shared parser.
#include <CLI/CLI.hpp>

namespace tessera::cli {

void add_selfcheck_command(CLI::App& app);
void add_codec_command(CLI::App& app);
void add_data_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_info_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_score_command(CLI::App& app);
void add_plot_command(CLI::App& app);
void add_eval_command(CLI::App& app);

}  // namespace tessera::cli
