// `gibbs train --model NAME --data FILE -o CKPT [options]` and `gibbs train --resume CKPT
// [options]`: the plugin's options come from its descriptor; on --resume every option not given
// again is taken from the checkpoint's /config.
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>

#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/plugin_options.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.train;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

constexpr const char* kUsage =
    "usage: gibbs train --model NAME --data FILE -o CKPT [options]\n"
    "       gibbs train --resume CKPT [-o CKPT] [options]   (options not given again come from CKPT)";

// The value of --name (as "--name V" or "--name=V") among args, before any full parse.
std::optional<std::string> find_value(Args args, std::string_view name) {
  const std::string flag = fmt::format("--{}", name), prefix = flag + "=";
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag && i + 1 < args.size()) return args[i + 1];
    if (args[i].starts_with(prefix)) return args[i].substr(prefix.size());
  }
  return std::nullopt;
}

bool has_help(Args args) {
  for (const std::string& a : args)
    if (a == "--help" || a == "-h") return true;
  return false;
}

// The driver's options that go into the Config (gibbs.train reads them), declared as a plugin
// declares its own.
const std::vector<PluginOption>& run_options() {
  static const std::vector<PluginOption> options = {
      {"data", OptionType::String, std::nullopt, "the dataset (a gibbs-dataset HDF5 file)"},
      {"epochs", OptionType::Int, "10", "total epochs, counting those a resumed checkpoint already has"},
      {"seed", OptionType::Int, "0", "seed of every random draw"},
      {"tol", OptionType::Float, "0", "stop when the model's stopping metric changes by less than X between epochs (0: never)"},
      {"monitor", OptionType::Int, "2000", "rows of the train and test splits scored after every epoch (0: all)"},
  };
  return options;
}

po::options_description driver_options() {
  po::options_description options = plugin_options("gibbs train options", run_options());
  options.add_options()
      ("help,h", "print this help (with --model NAME: the model's options too)")
      ("model", po::value<std::string>()->value_name("NAME"), "the model: a plugin's name (see 'gibbs plugins')")
      ("resume", po::value<std::string>()->value_name("CKPT"), "continue the run saved in this checkpoint")
      ("output,o", po::value<std::string>()->value_name("CKPT"), "the checkpoint to write (with --resume: CKPT itself)")
      ("threads", po::value<int>()->value_name("N"), "worker threads (0: one per core); results do not depend on it")
      ("plugin-path", po::value<std::vector<std::string>>()->value_name("DIRS"), "colon-separated folders searched first");
  return options;
}

io::ConfigValue config_value(const po::variable_value& value, OptionType type) {
  switch (type) {
    case OptionType::Int: return value.as<std::int64_t>();
    case OptionType::Float: return value.as<double>();
    case OptionType::String: return value.as<std::string>();
    case OptionType::Flag: return std::int64_t{value.as<bool>() ? 1 : 0};
  }
  return std::int64_t{0};
}

// Every option's value: given on the command line, else (on --resume) the checkpoint's, else
// its default.
Config assemble_config(const po::variables_map& vm, const PluginLibrary& plugin, const io::Checkpoint* resumed) {
  std::vector<PluginOption> declared = plugin.options();
  declared.insert(declared.end(), run_options().begin(), run_options().end());
  Config config;
  for (const PluginOption& o : declared) {
    const bool given = vm.contains(o.name) && !vm[o.name].defaulted();
    if (resumed != nullptr && !given && resumed->config.contains(o.name)) config[o.name] = resumed->config.at(o.name);
    else if (vm.contains(o.name)) config[o.name] = config_value(vm[o.name], o.type);
  }
  if (!config.contains("data")) throw ArgumentError("train: --data FILE is required (a gibbs dataset)");
  if (vm.contains("data")) config["data"] = fs::absolute(vm["data"].as<std::string>()).lexically_normal().string();
  return config;
}

void print_help(const po::options_description& driver, const PluginLibrary* plugin) {
  fmt::print("{}\n\n{}", kUsage, fmt::streamed(driver));
  if (plugin != nullptr) {
    fmt::print("\n{}", fmt::streamed(plugin_options(fmt::format("{} options ({})", plugin->name(), plugin->summary()),
                                                    plugin->options())));
    return;
  }
  std::vector<std::string> names;
  for (const PluginLibrary& p : discover(plugin_search_path()).plugins) names.push_back(p.name());
  fmt::print("\nmodels: {} ('gibbs train --model NAME --help' lists a model's options)\n",
             names.empty() ? "none found" : fmt::format("{}", fmt::join(names, ", ")));
}

int train_command(Args args) {
  const po::options_description driver = driver_options();
  if (const auto dirs = find_value(args, "plugin-path")) plugin_path().push_back(*dirs);
  std::optional<std::string> model_name = find_value(args, "model");
  const std::optional<std::string> resume = find_value(args, "resume");
  std::optional<io::Checkpoint> resumed;
  if (resume) {
    resumed = io::load_checkpoint(*resume);
    if (model_name && *model_name != resumed->model)
      throw FormatError(*resume, fmt::format("a checkpoint of the {} model, not of --model {}", resumed->model, *model_name));
    model_name = resumed->model;
  }
  if (!model_name) {
    if (has_help(args)) {
      print_help(driver, nullptr);
      return 0;
    }
    throw ArgumentError("train: --model NAME or --resume CKPT is required (see 'gibbs train --help')");
  }
  const PluginLibrary plugin = load_plugin(*model_name, plugin_search_path());
  if (has_help(args)) {
    print_help(driver, &plugin);
    return 0;
  }
  po::options_description all;
  all.add(driver).add(plugin_options(plugin.name() + " options", plugin.options()));
  po::variables_map vm;
  po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.end())).options(all).run(), vm);
  po::notify(vm);
  if (vm.contains("threads")) set_thread_count(vm["threads"].as<int>());

  std::string output;
  if (vm.contains("output")) output = vm["output"].as<std::string>();
  else if (resume) output = *resume;
  else throw ArgumentError("train: -o CKPT is required (the checkpoint to write)");

  const ModelPtr model = plugin.create_model();
  train::Run run{*model, plugin.name(), plugin.version(), assemble_config(vm, plugin, resumed ? &*resumed : nullptr),
                 output, resumed};
  const train::Report report = train::train(run, std::cout);
  if (report.outcome == train::Outcome::interrupted) {
    std::cout << fmt::format("resume with: gibbs train --resume {}\n", output) << std::flush;
    return 130;
  }
  return 0;
}

const Registration registration{"train", "train a model (a plugin) on a dataset; resume a checkpoint", train_command};

}  // namespace
}  // namespace gibbs::cli
