#include <CLI/CLI.hpp>
#include <iostream>

#include "core/error.h"
#include "core/threads.h"
#include "tessera/version.h"

int main(int argc, char** argv) {
  CLI::App app{"Tessera: one transformer over text, image and audio tokens"};
  app.set_version_flag("--version", std::string("tessera ") + tessera::kVersion);
  int threads = 0;
  app.add_option("--threads", threads, "Worker threads (default: TESSERA_THREADS, else all available cores)")
      ->check(CLI::PositiveNumber);
  app.require_subcommand(0, 1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    tessera::set_num_threads(threads > 0 ? threads : tessera::default_num_threads());
  } catch (const tessera::Error& e) {
    std::cerr << "error: " << e.what() << '\n';
    return 1;
  }
  std::cout << app.help();
  return 0;
}
