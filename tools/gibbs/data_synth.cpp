// `gibbs data synth logic|sincos|patterns`: generated datasets (seeded gibbs::random streams, so
// the same seed gives the same data), written atomically.
#include <fmt/format.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>

#include "tools/gibbs/data.h"
import gibbs.core;
import gibbs.io;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

std::uint64_t positive(const po::variables_map& vm, const char* name, bool zero_ok = false) {
  const long long v = vm[name].as<long long>();
  if (v < (zero_ok ? 0 : 1))
    throw ArgumentError(fmt::format("--{} {} must be {}", name, v, zero_ok ? "0 or more" : "positive"));
  return static_cast<std::uint64_t>(v);
}

const CommandSpec kLogic{
    .path = "data synth logic",
    .summary = "the truth table of and/or/xor over N inputs (train split only)",
    .usage = {"gibbs data synth logic --op and|or|xor --inputs N [--encoding pm1|01] [--joint] [--repeat R] -o OUT.h5"},
    .options =
        {
            {"op", value<std::string>("and|or|xor"), "the boolean function", kRequired},
            {"inputs", value<long long>("N"), "number of inputs (2 or 4; up to 16)", kRequired},
            {"encoding", value<std::string>("pm1|01", "pm1"), "false/true as -1/1 or 0/1"},
            {"joint",
             "the output as a last column of x too (inputs + 1 values a row, for an RBM to model them jointly)"},
            {"repeat", value<long long>("R", 1), "every row R times (a bigger training set)"},
            output_option(),
        },
};

int logic(const po::variables_map& vm) {
  const std::string op = vm["op"].as<std::string>(), encoding = vm["encoding"].as<std::string>();
  if (op != "and" && op != "or" && op != "xor") throw ArgumentError(fmt::format("--op '{}' is not and, or or xor", op));
  if (encoding != "pm1" && encoding != "01")
    throw ArgumentError(fmt::format("--encoding '{}' is not pm1 or 01", encoding));
  const io::LogicOp o = op == "and" ? io::LogicOp::and_op : op == "or" ? io::LogicOp::or_op : io::LogicOp::xor_op;
  const std::filesystem::path output = vm["output"].as<std::string>();
  const io::Table truth = io::logic_table(o, positive(vm, "inputs"),
                                          encoding == "pm1" ? io::LogicEncoding::pm1 : io::LogicEncoding::zero_one);
  const std::size_t repeat = positive(vm, "repeat"), inputs = truth.x.cols();
  const bool joint = vm.contains("joint");
  if (repeat > std::numeric_limits<std::size_t>::max() / truth.x.rows())
    throw ArgumentError(fmt::format("data synth: --repeat {} makes more rows than a machine can count", repeat));
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

const CommandSpec kSincos{
    .path = "data synth sincos",
    .summary = "regression: t = sin x + cos y + z, x, y in [0, 2π], z in [-1, 1]",
    .usage = {"gibbs data synth sincos --count N [--test-fraction F] [--seed S] -o OUT.h5"},
    .options =
        {
            {"count", value<long long>("N"), "number of rows", kRequired},
            test_fraction_option(),
            {"seed", value<long long>("S", 0), "seed of the draws and of the split"},
            output_option(),
        },
};

int sincos(const po::variables_map& vm) {
  const double f = test_fraction(vm);
  const std::uint64_t seed = positive(vm, "seed", true);
  const std::filesystem::path output = vm["output"].as<std::string>();
  io::write_table(output, io::sincos_table(positive(vm, "count"), seed), f, seed);
  print_written(output);
  return 0;
}

const CommandSpec kPatterns{
    .path = "data synth patterns",
    .summary = "P random patterns in [-1, 1]^N with random ±1 labels (train split only)",
    .usage = {"gibbs data synth patterns --inputs N --count P [--seed S] -o OUT.h5"},
    .options =
        {
            {"inputs", value<long long>("N"), "inputs per pattern", kRequired},
            {"count", value<long long>("P"), "number of patterns", kRequired},
            {"seed", value<long long>("S", 0), "seed of the draws"},
            output_option(),
        },
};

int patterns(const po::variables_map& vm) {
  const std::filesystem::path output = vm["output"].as<std::string>();
  io::write_table(output, io::patterns_table(positive(vm, "inputs"), positive(vm, "count"), positive(vm, "seed", true)),
                  0, 0);
  print_written(output);
  return 0;
}

const CommandSpec kSynth{
    .path = "data synth",
    .summary = "Generate a dataset file (logic, sincos, patterns)",
    .usage = {"gibbs data synth <generator> [options]"},
    .subcommand = "generator",
};
const Registration registrations[] = {Registration{kSynth}, {kLogic, logic}, {kPatterns, patterns}, {kSincos, sincos}};

}  // namespace
}  // namespace gibbs::cli
