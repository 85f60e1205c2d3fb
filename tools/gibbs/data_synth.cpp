// `gibbs data synth logic|sincos|patterns`: generated datasets (seeded gibbs::random streams, so
// the same seed gives the same data), written atomically.
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <algorithm>
#include <array>
#include <initializer_list>
#include <cstdint>
#include <filesystem>
#include <string>

#include "tools/gibbs/data.h"
import gibbs.core;
import gibbs.io;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

// Parses, prints --help (returning false), and checks that every named option is present.
bool parse_synth(Args args, po::options_description& options, po::variables_map& vm, const char* usage,
                 std::initializer_list<const char*> required) {
  options.add_options()("help,h", "print this help")(
      "output,o", po::value<std::string>()->value_name("OUT.h5"), "the dataset file to write");
  vm = parse_options(args, options);
  if (vm.contains("help")) {
    fmt::print("{}\n\n{}", usage, fmt::streamed(options));
    return false;
  }
  for (const char* name : required)
    if (!vm.contains(name)) throw ArgumentError(fmt::format("--{} is required ({})", name, usage));
  return true;
}

std::uint64_t positive(const po::variables_map& vm, const char* name, bool zero_ok = false) {
  const long long v = vm[name].as<long long>();
  if (v < (zero_ok ? 0 : 1)) throw ArgumentError(fmt::format("--{} {} must be {}", name, v, zero_ok ? "0 or more" : "positive"));
  return static_cast<std::uint64_t>(v);
}

int logic(Args args) {
  po::options_description options("gibbs data synth logic options");
  options.add_options()
      ("op", po::value<std::string>()->value_name("and|or|xor"), "the boolean function")
      ("inputs", po::value<long long>()->value_name("N"), "number of inputs (2 or 4; up to 16)")
      ("encoding", po::value<std::string>()->default_value("pm1")->value_name("pm1|01"), "false/true as -1/1 or 0/1")
      ("joint", "the output as a last column of x too (inputs + 1 values a row, for an RBM to model them jointly)")
      ("repeat", po::value<long long>()->default_value(1)->value_name("R"), "every row R times (a bigger training set)");
  po::variables_map vm;
  if (!parse_synth(args, options, vm,
                   "usage: gibbs data synth logic --op and|or|xor --inputs N [--encoding pm1|01] [--joint] [--repeat R] -o OUT.h5",
                   {"op", "inputs", "output"}))
    return 0;
  const std::string op = vm["op"].as<std::string>(), encoding = vm["encoding"].as<std::string>();
  if (op != "and" && op != "or" && op != "xor") throw ArgumentError(fmt::format("--op '{}' is not and, or or xor", op));
  if (encoding != "pm1" && encoding != "01") throw ArgumentError(fmt::format("--encoding '{}' is not pm1 or 01", encoding));
  const io::LogicOp o = op == "and" ? io::LogicOp::and_op : op == "or" ? io::LogicOp::or_op : io::LogicOp::xor_op;
  const std::filesystem::path output = vm["output"].as<std::string>();
  const io::Table truth =
      io::logic_table(o, positive(vm, "inputs"), encoding == "pm1" ? io::LogicEncoding::pm1 : io::LogicEncoding::zero_one);
  const std::size_t repeat = positive(vm, "repeat"), inputs = truth.x.cols();
  const bool joint = vm.contains("joint");
  io::Table table{truth.info, Matrix<float>(truth.x.rows() * repeat, inputs + (joint ? 1 : 0)), {}, {}};
  if (joint) {
    table.info.sample_shape = {inputs + 1};
    table.info.source += " joint";
  }
  if (repeat > 1) table.info.source += fmt::format(" repeated {}", repeat);
  for (std::size_t r = 0; r < table.x.rows(); ++r) {
    const std::size_t source = r % truth.x.rows();
    std::copy_n(truth.x.row(source).data(), inputs, table.x.row(r).data());
    if (joint) table.x(r, inputs) = truth.y[source] == 1 ? 1.0f : encoding == "pm1" ? -1.0f : 0.0f;
    table.y.push_back(truth.y[source]);
  }
  io::write_table(output, table, 0, 0);
  print_written(output);
  return 0;
}

int sincos(Args args) {
  po::options_description options("gibbs data synth sincos options");
  options.add_options()
      ("count", po::value<long long>()->value_name("N"), "number of rows")
      ("test-fraction", po::value<double>()->default_value(0.2)->value_name("F"), "share of rows in the test split, in [0, 1)")
      ("seed", po::value<long long>()->default_value(0)->value_name("S"), "seed of the draws and of the split");
  po::variables_map vm;
  if (!parse_synth(args, options, vm, "usage: gibbs data synth sincos --count N [--test-fraction F] [--seed S] -o OUT.h5",
                   {"count", "output"}))
    return 0;
  const double f = vm["test-fraction"].as<double>();
  if (!(f >= 0 && f < 1)) throw ArgumentError(fmt::format("--test-fraction {} is outside [0, 1)", f));
  const std::uint64_t seed = positive(vm, "seed", true);
  const std::filesystem::path output = vm["output"].as<std::string>();
  io::write_table(output, io::sincos_table(positive(vm, "count"), seed), f, seed);
  print_written(output);
  return 0;
}

int patterns(Args args) {
  po::options_description options("gibbs data synth patterns options");
  options.add_options()
      ("inputs", po::value<long long>()->value_name("N"), "inputs per pattern")
      ("count", po::value<long long>()->value_name("P"), "number of patterns")
      ("seed", po::value<long long>()->default_value(0)->value_name("S"), "seed of the draws");
  po::variables_map vm;
  if (!parse_synth(args, options, vm, "usage: gibbs data synth patterns --inputs N --count P [--seed S] -o OUT.h5",
                   {"inputs", "count", "output"}))
    return 0;
  const std::filesystem::path output = vm["output"].as<std::string>();
  io::write_table(output, io::patterns_table(positive(vm, "inputs"), positive(vm, "count"), positive(vm, "seed", true)), 0, 0);
  print_written(output);
  return 0;
}

}  // namespace

int synth(Args args) {
  static constexpr std::array kKinds = {
      Command{"logic", "the truth table of and/or/xor over N inputs (train split only)", logic},
      Command{"patterns", "P random patterns in [-1, 1]^N with random ±1 labels (train split only)", patterns},
      Command{"sincos", "regression: t = sin x + cos y + z, x, y in [0, 2π], z in [-1, 1]", sincos},
  };
  return dispatch("generator", "gibbs data synth", kKinds, "usage: gibbs data synth <generator> [options]", args);
}

}  // namespace gibbs::cli
