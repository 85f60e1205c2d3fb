// gibbs.train: the training driver. It loads the data, shuffles it every epoch, feeds the
// model minibatches, scores a fixed sample of the training and test splits after every epoch
// into the history, prints progress, and writes the checkpoint atomically (after the last epoch,
// at most every 30 s between epochs, and on SIGINT after the current minibatch), so that a
// resumed run equals one never stopped.
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>
export module gibbs.train;
export import :progress;
import gibbs.core;
import gibbs.io;
import gibbs.plugin;

export namespace gibbs::train {

// The driver's options, next to the plugin's in the Config: data (the dataset file), epochs
// (the total, counting those a resumed checkpoint already has), batch-size (declared by each
// plugin, with its own default), seed, tol (stop when the stopping metric changes by less
// between two epochs; 0: never) and monitor (rows of each split scored after every epoch; 0: all).
struct Run {
  Model& model;
  std::string model_name;
  std::string plugin_version;
  Config config;                           // complete: every option of the plugin and the driver
  std::filesystem::path output;            // the checkpoint
  std::optional<io::Checkpoint> resumed;   // the checkpoint to continue (config already merged)
};

enum class Outcome { finished, converged, interrupted, nothing_to_do };

struct Report {
  Outcome outcome;
  std::uint64_t epochs = 0;  // completed epochs in the checkpoint
};

// Trains and writes run.output. Epoch lines go to `log`; on a terminal a live progress line
// goes to stderr as well. Bad data is a FormatError naming the file.
Report train(Run& run, std::ostream& log);

}  // namespace gibbs::train
