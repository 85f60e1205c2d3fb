// Parsing a subcommand's arguments.
#include "tools/gibbs/parse.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <string>
#include <vector>

import gibbs.core;

namespace po = boost::program_options;

namespace gibbs::cli {

po::variables_map parse_with_file(Args args, const po::options_description& options, const std::string& positional) {
  po::options_description hidden;
  hidden.add_options()(positional.c_str(), po::value<std::string>());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description position;
  position.add(positional.c_str(), 1);
  po::variables_map vm;
  po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.end())).options(all).positional(position).run(),
            vm);
  po::notify(vm);
  return vm;
}

bool parse_options(Args args, const po::options_description& options, const char* usage, po::variables_map& vm) {
  po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.end())).options(options).run(), vm);
  po::notify(vm);
  if (!vm.contains("help")) return true;
  fmt::print("{}\n\n{}", usage, fmt::streamed(options));
  return false;
}

bool parse_checkpoint_command(Args args, const po::options_description& options, const char* usage, po::variables_map& vm,
                              const char* missing, const char* required_option) {
  vm = parse_with_file(args, options, "checkpoint");
  if (vm.contains("help")) {
    fmt::print("{}\n\n{}", usage, fmt::streamed(options));
    return false;
  }
  if (!vm.contains("checkpoint") || (required_option != nullptr && !vm.contains(required_option)))
    throw ArgumentError(fmt::format("{} ({})", missing, usage));
  if (vm.contains("threads")) set_thread_count(vm["threads"].as<int>());
  return true;
}

}  // namespace gibbs::cli
