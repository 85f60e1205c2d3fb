// Parsing a subcommand's arguments: its options plus one positional FILE.
#pragma once

#include <boost/program_options.hpp>

#include <string>

#include "tools/gibbs/command.h"

namespace gibbs::cli {

// Options and at most one positional argument, stored under `positional` (e.g. "checkpoint").
boost::program_options::variables_map parse_with_file(Args args, const boost::program_options::options_description& options,
                                                      const std::string& positional);

}  // namespace gibbs::cli
