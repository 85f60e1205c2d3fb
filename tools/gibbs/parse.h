// Parsing options by hand, for the commands that do not declare a CommandSpec yet (bench_rbm.cpp).
#pragma once

#include <boost/program_options.hpp>

#include "tools/gibbs/command.h"

namespace gibbs::cli {

// Options only (no positional words). With --help it prints `usage` and the options and returns
// false: the command then returns 0.
bool parse_options(Args args, const boost::program_options::options_description& options, const char* usage,
                   boost::program_options::variables_map& vm);

}  // namespace gibbs::cli
