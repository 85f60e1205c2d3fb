// Parsing a subcommand's arguments: its options, optionally plus one positional FILE.
#pragma once

#include <boost/program_options.hpp>

#include <string>

#include "tools/gibbs/command.h"

namespace gibbs::cli {

// Options and at most one positional argument, stored under `positional` (e.g. "checkpoint").
boost::program_options::variables_map parse_with_file(Args args, const boost::program_options::options_description& options,
                                                      const std::string& positional);

// Options only (no positional words). With --help it prints `usage` and the options and returns
// false: the command then returns 0.
bool parse_options(Args args, const boost::program_options::options_description& options, const char* usage,
                   boost::program_options::variables_map& vm);

}  // namespace gibbs::cli
