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

// A command on a checkpoint (eval, predict, encode, reconstruct, sample): its options and the
// positional CKPT, stored as "checkpoint". With --help it prints `usage` and the options and
// returns false. Without a checkpoint, or without `required_option` when one is named, it
// throws ArgumentError "<missing> (<usage>)". A --threads given is applied.
bool parse_checkpoint_command(Args args, const boost::program_options::options_description& options, const char* usage,
                              boost::program_options::variables_map& vm, const char* missing,
                              const char* required_option = nullptr);

}  // namespace gibbs::cli
