// `gibbs train --model NAME --data FILE -o CKPT [options]` and `gibbs train --resume CKPT
// [options]`: the plugin's options come from its descriptor; on --resume every option not given
// again is taken from the checkpoint's /config.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/train.h"
#include "tools/gibbs/world.h"
import gibbs.core;
import gibbs.io;
import gibbs.plugin;
import gibbs.train;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

const CommandSpec kSpec{
    .path = "train",
    .summary = "train a model (a plugin) on a dataset; resume a checkpoint",
    .usage = {"gibbs train --model NAME --data FILE -o CKPT [options]",
              "gibbs train --resume CKPT [-o CKPT] [options]   (options not given again come from CKPT)"},
    .options =
        {
            {"model", value<std::string>("NAME"), "the model: a plugin's name (see 'gibbs plugins')"},
            {"resume", value<std::string>("CKPT"), "continue the run saved in this checkpoint"},
            {"output,o", value<std::string>("CKPT"), "the checkpoint to write (with --resume: CKPT itself)"},
            {"plugin-path", value<std::vector<std::string>>("DIRS"), "colon-separated folders searched first"},
        },
    .threads = kThreads,
};

// The values of --name (as "--name V" or "--name=V") among args, before any full parse.
std::vector<std::string> find_values(Args args, std::string_view name) {
  const std::string flag = fmt::format("--{}", name), prefix = flag + "=";
  std::vector<std::string> values;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == flag && i + 1 < args.size())
      values.push_back(args[++i]);
    else if (args[i].starts_with(prefix))
      values.push_back(args[i].substr(prefix.size()));
  }
  return values;
}

std::optional<std::string> find_value(Args args, std::string_view name) {
  std::vector<std::string> values = find_values(args, name);
  if (values.empty()) return std::nullopt;
  return std::move(values.front());
}

// The driver's options (gibbs.train's), --batch-size defaulting to the model's.
po::options_description driver_options(std::uint64_t model_batch_size) {
  return plugin_options("training options", train::declared_options(model_batch_size));
}

// Without a model: the driver's options and the models there are.
void print_help() {
  const po::options_description driver = driver_options(0);
  std::vector<std::string> names;
  for (const PluginLibrary& p : discover(plugin_search_path()).plugins) names.push_back(p.name());
  fmt::print("{}\nmodels: {} ('gibbs train --model NAME --help' lists a model's options)\n", kSpec.help({&driver}),
             names.empty() ? "none found" : fmt::format("{}", fmt::join(names, ", ")));
}

// The ranks of an MPI job as the training driver's team.
class WorldTeam final : public train::Team {
 public:
  explicit WorldTeam(const World& world) : world_(world) {}
  std::size_t rank() const override { return static_cast<std::size_t>(world_.rank()); }
  std::size_t size() const override { return static_cast<std::size_t>(world_.size()); }
  void all_gather(std::span<const float> mine, std::span<float> all, std::span<const std::size_t> sizes) override {
    world_.all_gather(mine, all, sizes);
  }
  void all_to_all(std::span<const float> send, std::span<const std::size_t> to, std::span<float> receive,
                  std::span<const std::size_t> from) override {
    world_.all_to_all(send, to, receive, from);
  }

 private:
  const World& world_;
};

int train_command(Args args) {
  std::optional<TrainingPlan> plan = plan_training(args);
  if (!plan) return 0;
  const std::string& data = std::get<std::string>(plan->config.at("data"));
  // The checkpoint must not replace the data it trains on (issue 14: -o d.h5 --data d.h5).
  std::error_code same_error;
  if (std::filesystem::equivalent(plan->output, data, same_error))
    throw ArgumentError(
        fmt::format("-o {}: that is the dataset --data names; write the checkpoint elsewhere", plan->output));
  io::check_output(plan->output);  // a device, FIFO or dangling link is refused now, not after training
  const ModelPtr model = plan->plugin.create_model();
  train::Run run{*model,        plan->plugin.name(), plan->plugin.version(), plan->config, plan->output,
                 plan->resumed, plan->resume};
  // Under mpirun every rank trains its shards; the ranks on one machine share its cores and memory.
  std::optional<WorldTeam> team;
  std::ostream quiet(nullptr);  // the other ranks' log: nowhere
  if (launched_with_others()) {
    const World& world = World::get();
    team.emplace(world);
    run.team = &*team;
    if (!find_value(args, "threads")) set_thread_count(static_cast<int>(world.cores()));
    set_memory_budget(memory_budget() / static_cast<std::size_t>(world.local_size()));  // --memory-limit: the machine's
  }
  const bool logs = !team || team->rank() == 0;
  const train::Report report = train::train(run, logs ? static_cast<std::ostream&>(std::cout) : quiet);
  if (!logs) return report.outcome == train::Outcome::interrupted ? 130 : 0;
  if (report.outcome == train::Outcome::interrupted) {
    std::cout << fmt::format("resume with: gibbs train --resume {}\n", plan->output) << std::flush;
    return 130;
  }
  return 0;
}

}  // namespace

std::optional<TrainingPlan> plan_training(Args args) {
  for (std::string& dirs : find_values(args, "plugin-path"))  // once, however often a sweep plans
    if (std::ranges::find(plugin_path(), dirs) == plugin_path().end()) plugin_path().push_back(std::move(dirs));
  std::optional<std::string> model_name = find_value(args, "model");
  const std::string resume = find_value(args, "resume").value_or("");
  std::optional<io::Checkpoint> resumed;
  if (!resume.empty()) {
    resumed = io::load_checkpoint(resume);
    io::release_input(resume);  // the checkpoint a resumed run continues is its output
    if (model_name && *model_name != resumed->model)
      throw FormatError(resume,
                        fmt::format("a checkpoint of the {} model, not of --model {}", resumed->model, *model_name));
    model_name = resumed->model;
  }
  if (!model_name) {
    if (asks_for_help(args)) {
      print_help();
      return std::nullopt;
    }
    kSpec.missing("--model NAME or --resume CKPT");
  }
  PluginLibrary plugin = load_plugin(*model_name, plugin_search_path());
  const po::options_description driver = driver_options(plugin.default_batch_size());
  const po::options_description own =
      plugin_options(fmt::format("{} options ({})", plugin.name(), plugin.summary()), plugin.options());
  const auto parsed = kSpec.parse(args, {&driver, &own});
  if (!parsed) return std::nullopt;
  const po::variables_map& vm = *parsed;
  std::string output;
  if (vm.contains("output"))
    output = vm["output"].as<std::string>();
  else if (resumed)
    output = resume;
  else
    kSpec.missing("-o CKPT");
  if (!resumed && !vm.contains("data")) kSpec.missing("--data FILE");
  Config config = complete_config(plugin, given_options(vm, declared_options(plugin)), resumed ? &*resumed : nullptr);
  return TrainingPlan{std::move(plugin), std::move(config), std::move(output), std::move(resumed), resume};
}

std::vector<PluginOption> declared_options(const PluginLibrary& plugin) {
  std::vector<PluginOption> declared = plugin.options();
  for (PluginOption& o : train::declared_options(plugin.default_batch_size())) declared.push_back(std::move(o));
  return declared;
}

Config complete_config(const PluginLibrary& plugin, const Config& given, const io::Checkpoint* resumed) {
  Config config;
  for (const PluginOption& o : declared_options(plugin)) {
    if (const auto it = given.find(o.name); it != given.end()) {
      const io::ConfigValue* before = resumed != nullptr ? find_option(resumed->config, o.name) : nullptr;
      const auto text = [&](const io::ConfigValue& v) {
        return o.type == OptionType::Flag ? std::string(std::get<std::int64_t>(v) != 0 ? "true" : "false")
                                          : option_text(v);
      };
      if (o.rule.fixed && before != nullptr && text(*before) != text(it->second))
        throw option_error(
            o.name, fmt::format("shapes the model and cannot change on --resume (the checkpoint's: {})", text(*before)),
            text(it->second));
      config[o.name] = it->second;
    } else if (resumed != nullptr && resumed->config.contains(o.name))
      config[o.name] = resumed->config.at(o.name);
    else if (o.default_value)
      config[o.name] = default_config_value(o);
    else if (o.rule.required)
      throw ArgumentError(fmt::format("train: --{} is required ({})", o.name, o.help));
    if (config.contains(o.name)) check_option(o, config.at(o.name));
  }
  for (const auto& [name, value] : given)
    if (!config.contains(name))
      throw ArgumentError(fmt::format("the {} model has no option --{}", plugin.name(), name));
  if (std::get<std::string>(config.at("data")).empty()) throw option_error("data", "must name a dataset", "''");
  // The checkpoint names its data so that a resume or a study command finds it from anywhere.
  if (given.contains("data"))
    config["data"] = fs::absolute(std::get<std::string>(config.at("data"))).lexically_normal().string();
  return config;
}

namespace {
const Registration registration{kSpec, train_command};
}  // namespace
}  // namespace gibbs::cli
