// Shared by the `gibbs data` command files: the options they share and the "wrote ..." summary.
#pragma once

#include <boost/program_options.hpp>

#include <filesystem>

#include "tools/gibbs/command.h"

namespace gibbs::cli {

Option output_option();  // -o OUT.h5, required
// --test-fraction F, the share of rows that go to the test split, and its value (checked: in [0, 1)).
Option test_fraction_option();
double test_fraction(const boost::program_options::variables_map& vm);

void print_written(const std::filesystem::path& output);  // "wrote OUT: train NxD, test NxD, C classes"

}  // namespace gibbs::cli
