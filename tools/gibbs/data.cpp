// `gibbs data import idx ...`, `gibbs data info FILE [--json]` and the `gibbs data` group: bring
// datasets in as gibbs dataset files (written atomically) and describe them, checking every value.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/data.h"
#include "tools/gibbs/dataset_describe.h"
import gibbs.core;
import gibbs.io;

namespace po = boost::program_options;

namespace gibbs::cli {

Option output_option() { return {"output,o", value<std::string>("OUT.h5"), "the dataset file to write", kRequired}; }

Option test_fraction_option() {
  return {"test-fraction", value<double>("F")->default_value(0.2, "0.2"),
          "share of rows, in [0, 1), that go to the test split (0: no test split)"};
}

double test_fraction(const po::variables_map& vm) {
  const double f = vm["test-fraction"].as<double>();
  if (!(f >= 0 && f < 1)) throw ArgumentError(fmt::format("--test-fraction {} is outside [0, 1)", f));
  return f;
}

void print_written(const std::filesystem::path& output) {
  const io::DatasetReader written(output);
  std::vector<std::string> parts;
  for (const io::SplitInfo& s : written.splits()) parts.push_back(fmt::format("{} {}x{}", s.name, s.rows, s.cols));
  const bool targets = std::ranges::any_of(written.splits(), [](const io::SplitInfo& s) { return s.has_targets; });
  fmt::print("wrote {}: {}, {}\n", output.string(), fmt::join(parts, ", "),
             targets ? std::string("regression targets") : fmt::format("{} classes", written.info().classes.size()));
}

namespace {

std::vector<std::string> split_names(const std::string& text) {
  std::vector<std::string> names;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    names.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  for (const std::string& name : names)
    if (name.empty()) throw ArgumentError("--classes '" + text + "': empty class name");
  return names;
}

const CommandSpec kImportIdx{
    .path = "data import idx",
    .summary = "MNIST / Fashion-MNIST IDX files, raw or gzipped",
    .usage = {"gibbs data import idx --images FILE --labels FILE [--test-images FILE --test-labels FILE] "
              "[--classes NAMES] -o OUT.h5"},
    .options =
        {
            {"images", value<std::string>("FILE"), "training images, IDX (magic 0x803), raw or gzipped", kRequired},
            {"labels", value<std::string>("FILE"), "training labels, IDX (magic 0x801), raw or gzipped", kRequired},
            {"test-images", value<std::string>("FILE"), "test images (with --test-labels)"},
            {"test-labels", value<std::string>("FILE"), "test labels"},
            {"classes", value<std::string>("NAMES"), "comma-separated class names (default: 0,1,...)"},
            output_option(),
        },
};

int import_idx(const po::variables_map& vm) {
  if (vm.contains("test-images") != vm.contains("test-labels"))
    throw ArgumentError("data import idx: --test-images and --test-labels go together");
  io::IdxImport import;
  import.images = vm["images"].as<std::string>();
  import.labels = vm["labels"].as<std::string>();
  if (vm.contains("test-images")) {
    import.test_images = vm["test-images"].as<std::string>();
    import.test_labels = vm["test-labels"].as<std::string>();
  }
  if (vm.contains("classes")) import.classes = split_names(vm["classes"].as<std::string>());
  import.output = vm["output"].as<std::string>();
  io::import_idx(import);
  print_written(import.output);
  return 0;
}

const CommandSpec kInfo{
    .path = "data info",
    .summary = "Splits, shapes, dtype, value range and label histogram of a dataset file",
    .usage = {"gibbs data info FILE [--json]"},
    .description = "Splits, shapes, dtype, value range and label histogram; every value is read and checked.",
    .positional = {"file", "FILE", "the dataset file"},
    .options = {{"json", "one JSON object instead of text"}},
};

int info(const po::variables_map& vm) {
  describe_dataset(vm["file"].as<std::string>(), vm.contains("json"));
  return 0;
}

const CommandSpec kData{
    .path = "data",
    .summary = "Import datasets, write subsets and binarised copies, describe dataset files",
    .usage = {"gibbs data <command> [options]"},
    .subcommand = "data command",
};
const CommandSpec kImport{
    .path = "data import",
    .summary = "Convert a dataset into a gibbs dataset file (formats: csv, idx, mnist-json)",
    .usage = {"gibbs data import <format> [options]"},
    .subcommand = "format",
};
const Registration registrations[] = {
    Registration{kData}, Registration{kImport}, {kImportIdx, import_idx}, {kInfo, info}};

}  // namespace
}  // namespace gibbs::cli
