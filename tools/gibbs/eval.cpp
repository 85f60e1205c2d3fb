// `gibbs eval CKPT [--data FILE] [--split NAME] [--json]`: the model's scores on a whole split
// (the metrics training records after every epoch, on every row).
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <numeric>
#include <string>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/json.h"
#include "tools/gibbs/parse.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/trained_model.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

namespace po = boost::program_options;

namespace gibbs::cli {
namespace {

constexpr const char* kUsage = "usage: gibbs eval CKPT [--data FILE] [--split NAME] [--json]";

int eval_command(Args args) {
  po::options_description options("gibbs eval options");
  options.add_options()
      ("help,h", "print this help")
      ("data", po::value<std::string>()->default_value("")->value_name("FILE"),
       "the dataset (default: the one the model was trained on)")
      ("split", po::value<std::string>()->default_value("")->value_name("NAME"), "the split (default: test if present, else train)")
      ("json", "one JSON object instead of text")
      ("threads", po::value<int>()->value_name("N"), "worker threads (0: one per core)");
  const po::variables_map vm = parse_with_file(args, options, "checkpoint");
  if (vm.contains("help")) {
    fmt::print("{}\n\n{}", kUsage, fmt::streamed(options));
    return 0;
  }
  if (!vm.contains("checkpoint")) throw ArgumentError(fmt::format("eval: a checkpoint is required ({})", kUsage));
  if (vm.contains("threads")) set_thread_count(vm["threads"].as<int>());

  const std::string checkpoint = vm["checkpoint"].as<std::string>();
  const TrainedModel trained = load_trained_model(checkpoint);
  const io::DatasetReader reader(dataset_of(trained, vm["data"].as<std::string>()));
  const std::string split = split_of(reader, vm["split"].as<std::string>());
  std::vector<std::size_t> rows(reader.split(split).rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  const io::Batch batch = read_rows(reader, split, rows, trained);
  const Metrics metrics = trained.model->evaluate({batch.x, batch.y, batch.t}, 0);

  if (vm.contains("json")) {
    std::vector<std::string> fields = {
        fmt::format(R"("checkpoint": {})", json_string(checkpoint)),
        fmt::format(R"("data": {})", json_string(reader.path().string())),
        fmt::format(R"("split": {})", json_string(split)), fmt::format(R"("rows": {})", rows.size())};
    for (const Metric& m : metrics) fields.push_back(fmt::format(R"({}: {})", json_string(m.name), json_number(m.value)));
    fmt::print("{{{}}}\n", fmt::join(fields, ", "));
    return 0;
  }
  fmt::print("{} on the {} split of {} ({} rows)\n", checkpoint, split, reader.path().string(), rows.size());
  for (const Metric& m : metrics) fmt::print("  {:<30} {:.6g}\n", m.name, m.value);
  return 0;
}

const Registration registration{"eval", "score a checkpoint's model on a dataset split", eval_command};

}  // namespace
}  // namespace gibbs::cli
