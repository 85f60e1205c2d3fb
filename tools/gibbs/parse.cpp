// Parsing options by hand (see parse.h).
#include "tools/gibbs/parse.h"

#include <fmt/format.h>
#include <fmt/ostream.h>

#include <string>
#include <vector>

namespace po = boost::program_options;

namespace gibbs::cli {

bool parse_options(Args args, const po::options_description& options, const char* usage, po::variables_map& vm) {
  po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.end())).options(options).run(), vm);
  po::notify(vm);
  if (!vm.contains("help")) return true;
  fmt::print("{}\n\n{}", usage, fmt::streamed(options));
  return false;
}

}  // namespace gibbs::cli
