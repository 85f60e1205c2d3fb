// `gibbs data subset IN --classes 3 -o OUT` and `gibbs data binarize IN --threshold 0.5|--stochastic -o OUT`:
// data operations that write a new dataset file (atomically) from an existing one, split by
// split, labels and targets kept.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/data.h"
import gibbs.core;
import gibbs.io;
import gibbs.train;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

// Every split of `in` through `transform` (which may drop rows; `place` is the split's position,
// train 0) into `out`; uint8 splits stay
// uint8 with their scale unless `scale` says otherwise.
struct Transformed {
  Matrix<float> x;
  std::vector<std::int32_t> y;
  std::vector<float> t;
};

void write_each_split(const io::DatasetReader& in, const std::string& out, io::DatasetInfo info,
                      const std::function<Transformed(const io::Batch&, std::size_t place)>& transform,
                      std::optional<float> scale) {
  io::DatasetWriter writer(out, std::move(info));
  for (std::size_t place = 0; place < in.splits().size(); ++place) {
    const io::SplitInfo& s = in.splits()[place];
    Transformed rows = transform(in.read_range(s.name, 0, s.rows), place);
    if (s.name != "train" && rows.x.rows() == 0) continue;  // an emptied test split is left out
    const float stored_scale = scale.value_or(s.scale);
    if (s.encoding == io::Encoding::uint8 || scale) {
      Matrix<std::uint8_t> bytes(rows.x.rows(), rows.x.cols());
      for (std::size_t r = 0; r < rows.x.rows(); ++r)
        for (std::size_t c = 0; c < rows.x.cols(); ++c)
          bytes(r, c) = static_cast<std::uint8_t>(std::lround(rows.x(r, c) / stored_scale));
      writer.add_split(s.name, bytes.view(), stored_scale, rows.y, rows.t);
    } else {
      writer.add_split(s.name, rows.x.view(), rows.y, rows.t);
    }
  }
  writer.commit();
}

const CommandSpec kSubset{
    .path = "data subset",
    .summary = "Keep the rows of some classes (e.g. one digit), as a new dataset file",
    .usage = {"gibbs data subset FILE --classes LABELS -o OUT.h5"},
    .positional = {"file", "FILE", "the dataset file"},
    .options =
        {
            {"classes", value<std::string>("LABELS"), "comma-separated class indices or names to keep, e.g. 3",
             kRequired},
            output_option(),
        },
};

int subset(const po::variables_map& vm) {
  const std::string file = vm["file"].as<std::string>(), wanted = vm["classes"].as<std::string>();
  const io::DatasetReader in(file);
  const std::vector<std::string>& names = in.info().classes;
  if (!std::ranges::any_of(in.splits(), [](const io::SplitInfo& s) { return s.labelled; }))
    throw FormatError(file, "no labels to choose rows by");
  std::set<std::int32_t> keep;
  for (std::size_t start = 0; start <= wanted.size();) {
    const std::size_t comma = std::min(wanted.find(',', start), wanted.size());
    const std::string token = wanted.substr(start, comma - start);
    start = comma + 1;
    const auto named = std::ranges::find(names, token);
    if (named != names.end()) {
      keep.insert(static_cast<std::int32_t>(named - names.begin()));
      continue;
    }
    std::size_t index = 0;
    std::size_t used = 0;
    try {
      index = std::stoul(token, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != token.size() || index >= names.size())
      throw ArgumentError(
          fmt::format("--classes: must name classes of {} ({}), got '{}'", file, fmt::join(names, ", "), token));
    keep.insert(static_cast<std::int32_t>(index));
  }
  io::DatasetInfo info = in.info();
  info.source = fmt::format("{} (classes {})", info.source, wanted);
  write_each_split(
      in, vm["output"].as<std::string>(), info,
      [&](const io::Batch& b, std::size_t) {
        Transformed out;
        std::vector<std::size_t> rows;
        for (std::size_t r = 0; r < b.y.size(); ++r)
          if (keep.contains(b.y[r])) rows.push_back(r);
        out.x = Matrix<float>(rows.size(), b.x.cols());
        for (std::size_t i = 0; i < rows.size(); ++i) {
          std::copy_n(b.x.row(rows[i]).data(), b.x.cols(), out.x.row(i).data());
          out.y.push_back(b.y[rows[i]]);
          if (!b.t.empty()) out.t.push_back(b.t[rows[i]]);
        }
        return out;
      },
      std::nullopt);
  print_written(vm["output"].as<std::string>());
  return 0;
}

const CommandSpec kBinarize{
    .path = "data binarize",
    .summary = "Values become 0 or 1, at a threshold or drawn as Bernoulli(value), as a new dataset file",
    .usage = {"gibbs data binarize FILE [--threshold X] -o OUT.h5",
              "gibbs data binarize FILE --stochastic [--seed S] -o OUT.h5"},
    .positional = {"file", "FILE", "the dataset file"},
    .options =
        {
            {"threshold", value<double>("X", 0.5), "in [0, 1]: a value above it becomes 1 (0.5: a pixel above 127.5)"},
            {"stochastic",
             "each value v (in [0, 1]) becomes 1 with probability v, drawn once (the binarised MNIST of "
             "Salakhutdinov & Murray)"},
            {"seed", value<std::uint64_t>("S", 0), "with --stochastic: the seed of the draws"},
            output_option(),
        },
};

int binarize(const po::variables_map& vm) {
  const bool stochastic = vm.contains("stochastic");
  const double threshold = vm["threshold"].as<double>();
  const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
  if (stochastic && !vm["threshold"].defaulted())
    throw ArgumentError("data binarize: --threshold and --stochastic are two ways; give one");
  if (!stochastic && !vm["seed"].defaulted()) throw ArgumentError("data binarize: --seed goes with --stochastic");
  if (!(threshold >= 0 && threshold <= 1))
    throw ArgumentError(fmt::format("--threshold: must be in [0, 1], got {}", threshold));
  const std::string file = vm["file"].as<std::string>();
  const io::DatasetReader in(file);
  io::DatasetInfo info = in.info();
  info.source = stochastic ? fmt::format("{} (binarised: Bernoulli draws, seed {})", info.source, seed)
                           : fmt::format("{} (binarised above {})", info.source, threshold);
  write_each_split(
      in, vm["output"].as<std::string>(), info,
      [&](const io::Batch& b, std::size_t place) {
        Transformed out{Matrix<float>(b.x.rows(), b.x.cols()), b.y, b.t};
        if (stochastic) {
          train::check_probabilities(b.x, file, in.splits()[place].name, "--stochastic");
          train::binarize_split(b.x, out.x, seed, place);
          return out;
        }
        for (std::size_t r = 0; r < b.x.rows(); ++r)
          for (std::size_t c = 0; c < b.x.cols(); ++c) out.x(r, c) = b.x(r, c) > threshold ? 1.0f : 0.0f;
        return out;
      },
      1.0f);
  print_written(vm["output"].as<std::string>());
  return 0;
}

const Registration registrations[] = {{kSubset, subset}, {kBinarize, binarize}};

}  // namespace
}  // namespace gibbs::cli
