#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/commands.h"
#include "core/error.h"
#include "core/threads.h"
#include "kernels/cpu/library_environment.h"
#include "tessera/version.h"

int main(int argc, char** argv) {
  tessera::kernels::cpu::set_library_environment(argv);
  CLI::App app{
      "Tessera: one transformer over text, image and audio tokens.\n"
      "Run `tessera <command> --help` for a command's options."};
  app.set_version_flag("--version", std::string("tessera ") + tessera::kVersion);
  int threads = 0;
  app.add_option("--threads", threads,
                 "Worker threads for kernels and BLAS (default: TESSERA_THREADS, else every available core)")
      ->check(CLI::Range(1, 4096));
  // Commands run from their callbacks, after the global options are applied here.
  app.parse_complete_callback(
      [&] { tessera::set_num_threads(threads > 0 ? threads : tessera::default_num_threads()); });
  tessera::cli::add_selfcheck_command(app);
  tessera::cli::add_codec_command(app);
  tessera::cli::add_data_command(app);
  tessera::cli::add_train_command(app);
  tessera::cli::add_info_command(app);
  tessera::cli::add_generate_command(app);
  tessera::cli::add_score_command(app);
  tessera::cli::add_plot_command(app);
  tessera::cli::add_eval_command(app);
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
    if (app.get_subcommands().empty()) {
      std::cerr << app.help() << "\nerror: no command given\n";
      return 1;
    }
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const tessera::Error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
