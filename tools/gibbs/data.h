// Shared by the `gibbs data` command files: option parsing, the "wrote ..." summary, and the
// subcommands that live outside data.cpp (data_import.cpp, data_synth.cpp).
#pragma once

#include <boost/program_options.hpp>

#include <filesystem>

#include "tools/gibbs/command.h"

namespace gibbs::cli {

boost::program_options::variables_map parse_options(Args args, const boost::program_options::options_description& options,
                                                    const boost::program_options::positional_options_description* positional = nullptr);
void print_written(const std::filesystem::path& output);  // "wrote OUT: train NxD, test NxD, C classes"

int import_mnist_json(Args args);
int import_csv(Args args);
int synth(Args args);

}  // namespace gibbs::cli
