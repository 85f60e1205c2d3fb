// `gibbs stability CKPT [--steps S] [--chains C] [--flip UNITS] [--json] [-o PNG]`: seed 002's bit
// stability and bit correction. Chains start at rows of the training split, and at the same rows
// with some units flipped (the output bit of a truth table); after each Gibbs step a chain is
// right when its visible means, rounded, form a row of the training split. The figures are the
// shares of right chains, step by step.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.viz;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

const CommandSpec kSpec{
    .path = "stability",
    .summary = "bit stability and bit correction: Gibbs chains from training rows, and from them with a unit flipped",
    .usage = {"gibbs stability CKPT [--steps S] [--chains C] [--flip UNITS] [--data FILE] [--seed N] [--json] "
              "[-o PNG]"},
    .description =
        "Chains start at rows of the training split (stability) and at the same rows with the --flip units\n"
        "flipped (correction: for a truth table, a wrong output bit). After each Gibbs step a chain is right\n"
        "when its visible means, rounded to 0 or 1, form a row of the training split; the figures are the\n"
        "shares of right chains.",
    .positional = kCheckpoint,
    .options =
        {
            {"steps", value<std::size_t>("S", 10), "Gibbs steps"},
            {"chains", value<std::size_t>("C", 100), "chains of each kind (the training rows, cycled)"},
            {"flip", value<std::string>("UNITS", ""), "the units flipped for correction (default: the last one)"},
            data_option("the dataset of 0/1 rows (default: the one the model was trained on)"),
            {"seed", value<std::uint64_t>("N", 0), "seed of the chains' draws"},
            {"json", "one JSON object instead of text"},
            {"output,o", value<std::string>("PNG"), "also draw both shares against the step"},
        },
    .threads = kThreads,
};

using Bits = std::vector<bool>;

Bits rounded(std::span<const float> row) {
  Bits bits(row.size());
  for (std::size_t i = 0; i < row.size(); ++i) bits[i] = row[i] >= 0.5f;
  return bits;
}

double share_right(ConstView<float> states, std::size_t first, std::size_t count, const std::set<Bits>& rows) {
  std::size_t right = 0;
  for (std::size_t c = first; c < first + count; ++c) right += rows.contains(rounded(states.row(c)));
  return static_cast<double>(right) / static_cast<double>(count);
}

void plot(const std::string& png, const std::string& title, const std::vector<double>& stability,
          const std::vector<double>& correction) {
  viz::Figure figure;
  figure.title = title;
  figure.x_label = "Gibbs step";
  figure.y_label = "share of chains on a training row";
  figure.x0 = 0, figure.x1 = static_cast<double>(std::max<std::size_t>(stability.size() - 1, 1));
  figure.y0 = 0, figure.y1 = 1.05;
  std::vector<double> steps(stability.size());
  for (std::size_t s = 0; s < steps.size(); ++s) steps[s] = static_cast<double>(s);
  figure.lines.push_back({steps, stability, 0, false, "from training rows (stability)"});
  figure.lines.push_back({steps, correction, 1, false, "from flipped rows (correction)"});
  viz::plot_figure(png, figure);
}

int stability_command(const po::variables_map& vm) {
  const std::size_t steps = vm["steps"].as<std::size_t>(), chains = vm["chains"].as<std::size_t>();
  if (steps == 0 || chains == 0) throw ArgumentError("stability: --steps and --chains must be at least 1");
  const std::string checkpoint = vm["checkpoint"].as<std::string>();
  const std::uint64_t seed = vm["seed"].as<std::uint64_t>();
  const TrainedModel trained = load_trained_model(checkpoint);
  const io::DatasetReader reader(dataset_of(trained, vm["data"].as<std::string>()));
  const std::string file = reader.path().string();
  const std::size_t available = reader.split("train").rows, width = trained.model->input_size();
  if (available == 0) throw FormatError(file, "the train split has no rows");
  std::vector<std::size_t> all(available);
  for (std::size_t r = 0; r < available; ++r) all[r] = r;
  const io::Batch train = read_rows(reader, "train", all, trained);
  std::set<Bits> right_rows;
  for (std::size_t r = 0; r < available; ++r) {
    for (const float value : train.x.row(r))
      if (value != 0 && value != 1)
        throw FormatError(
            file, fmt::format("stability needs rows of 0 and 1, and row {} of the train split holds {}", r, value));
    right_rows.insert(rounded(train.x.row(r)));
  }
  const std::string flip_text = vm["flip"].as<std::string>();
  const std::vector<std::size_t> flip =
      flip_text.empty() ? std::vector<std::size_t>{width - 1} : parse_units(flip_text, "stability: --flip", width);

  // Rows [0, chains) start at training rows, rows [chains, 2·chains) at them flipped.
  Matrix<float> states(2 * chains, width);
  for (std::size_t c = 0; c < chains; ++c) {
    const std::span<const float> row = train.x.row(c % available);
    std::copy(row.begin(), row.end(), states.row(c).begin());
    std::copy(row.begin(), row.end(), states.row(chains + c).begin());
    for (const std::size_t u : flip) states(chains + c, u) = 1.0f - states(chains + c, u);
  }
  std::vector<double> stability = {share_right(states, 0, chains, right_rows)},
                      correction = {share_right(states, chains, chains, right_rows)};
  trained.model->sample(states, {}, seed, steps, 1, [&](std::size_t, ConstView<float> means) {
    stability.push_back(share_right(means, 0, chains, right_rows));
    correction.push_back(share_right(means, chains, chains, right_rows));
  });

  if (vm.contains("output")) {
    const std::string png = vm["output"].as<std::string>();
    plot(png, fmt::format("{}: {} chains each, units {} flipped", checkpoint, chains, fmt::join(flip, ",")), stability,
         correction);
  }
  if (vm.contains("json")) {
    std::vector<std::string> s, c;
    for (const double v : stability) s.push_back(json_number(v));
    for (const double v : correction) c.push_back(json_number(v));
    fmt::print(R"({{"checkpoint": {}, "data": {}, "chains": {}, "flip": [{}], "seed": {}, "stability": [{}], )"
               R"("correction": [{}]}})"
               "\n",
               json_string(checkpoint), json_string(file), chains, fmt::join(flip, ", "), seed, fmt::join(s, ", "),
               fmt::join(c, ", "));
    return 0;
  }
  fmt::print("{}: {} chains from training rows of {} and {} with units {} flipped; the share on a training row\n",
             checkpoint, chains, file, chains, fmt::join(flip, ","));
  fmt::print("  step  stability  correction\n");
  for (std::size_t step = 0; step < stability.size(); ++step)
    fmt::print("  {:>4}  {:>9.4f}  {:>10.4f}\n", step, stability[step], correction[step]);
  if (vm.contains("output")) fmt::print("wrote {}\n", vm["output"].as<std::string>());
  return 0;
}

const Registration registration{kSpec, stability_command};

}  // namespace
}  // namespace gibbs::cli
