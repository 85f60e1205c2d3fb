// `gibbs sweep --model NAME --data FILE --grid NAME=V1,V2,... [--seeds N] -o DIR [train options]`:
// every combination trained as an ordinary `gibbs train` process into DIR/<run>.h5, several at
// once over the cores and, under mpirun or srun, spread over the ranks; then the summary and the
// pictures (sweep_summary.cpp). The same command again resumes what an interruption left.
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/program_options.hpp>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "tools/gibbs/command.h"
#include "tools/gibbs/escape.h"
#include "tools/gibbs/plugin_options.h"
#include "tools/gibbs/sweep_plan.h"
#include "tools/gibbs/sweep_summary.h"
#include "tools/gibbs/train.h"
#include "tools/gibbs/world.h"
import gibbs.core;
import gibbs.io;
import gibbs.simd;

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace gibbs::cli {
namespace {

const CommandSpec kSpec{
    .path = "sweep",
    .summary = "train every combination of some options' values and seeds, over the cores or MPI ranks",
    .usage = {"gibbs sweep --model NAME --data FILE --grid NAME=V1,V2,... [--grid ...] [--seeds N] -o DIR "
              "[train options]"},
    .description =
        "Each combination is an ordinary `gibbs train` run into DIR/<run>.h5, its output in DIR/<run>.log;\n"
        "every option not listed here goes to gibbs train. Runs go in parallel over the cores; under\n"
        "mpirun or srun they are spread over the ranks. Then DIR/summary.csv (one row per run: its values,\n"
        "status, epochs, seconds and final metrics), DIR/curves.png (every run's history overlaid) and\n"
        "DIR/final.png (each final metric against the first --grid option). The same command again skips\n"
        "finished runs and resumes interrupted ones from their checkpoints.",
    .options =
        {
            {"grid", value<std::vector<std::string>>("NAME=V1,V2,..."),
             "an option of gibbs train and its values (repeat it: every combination)"},
            {"seeds", value<std::size_t>("N", 0), "train each combination with --seed 0, 1, ..., N-1"},
            {"output,o", value<std::string>("DIR"), "the folder of the runs", kRequired},
            {"jobs", value<std::size_t>("N", 0), "runs at once on this machine (0: one per core, at most the runs)"},
            {"threads", value<std::size_t>("N", 0),
             "cores of this machine the sweep uses (0: all, shared by its ranks)"},
            {"json", "the summary as one JSON object on standard output"},
        },
};

// Options a run may not vary or set: the sweep decides them.
const std::set<std::string> kSweepOwns = {"model", "output", "o", "resume", "threads", "plugin-path"};

volatile std::sig_atomic_t stop_signal = 0;
extern "C" void on_stop(int signal) { stop_signal = signal; }

std::string last_line(const fs::path& log) {
  std::ifstream in(log);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// The args one run's gibbs train gets: a checkpoint already there is resumed.
std::vector<std::string> train_args(const SweepRun& run, const fs::path& checkpoint) {
  std::vector<std::string> args = run.args;
  args.insert(args.end(), {fs::exists(checkpoint) ? "--resume" : "-o", checkpoint.string()});
  return args;
}

enum Code : long { kNotMine = 0, kTrained = 1, kFailed = 2, kInterrupted = 3 };

class Runner {
 public:
  Runner(fs::path folder, std::size_t jobs, std::size_t threads, bool quiet)
      : folder_(std::move(folder)), jobs_(jobs), threads_(threads), out_(quiet ? stderr : stdout) {}

  // Trains the runs listed (indices into runs); codes[i] says how run i ended.
  void train(const std::vector<SweepRun>& runs, const std::vector<std::size_t>& mine, std::vector<long>& codes) {
    struct sigaction action{};
    action.sa_handler = on_stop;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
    std::vector<std::pair<pid_t, std::size_t>> running;
    std::size_t next = 0, done = 0;
    bool forwarded = false;
    while (next < mine.size() || !running.empty()) {
      while (stop_signal == 0 && running.size() < jobs_ && next < mine.size()) {
        running.emplace_back(launch(runs[mine[next]]), mine[next]);
        ++next;
      }
      if (stop_signal != 0 && !forwarded) {  // each run saves its checkpoint and stops
        for (const auto& [pid, _] : running) ::kill(pid, SIGINT);
        forwarded = true;
      }
      if (running.empty()) break;
      int status = 0;
      const pid_t pid = ::waitpid(-1, &status, 0);
      if (pid < 0) {
        if (errno == EINTR) continue;
        throw IoError(folder_.string(), std::string("waiting for a run: ") + std::strerror(errno));
      }
      const auto it = std::ranges::find(running, pid, &std::pair<pid_t, std::size_t>::first);
      if (it == running.end()) continue;
      const std::size_t r = it->second;
      running.erase(it);
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      codes[r] = code == 0 ? kTrained : code == 130 || stop_signal != 0 ? kInterrupted : kFailed;
      fmt::print(out_, "[{}/{}] {}: {}\n", ++done, mine.size(), runs[r].name,
                 printable(last_line(folder_ / (runs[r].name + ".log"))));
      std::fflush(out_);
    }
    if (stop_signal != 0)
      for (std::size_t i = next; i < mine.size(); ++i) codes[mine[i]] = kInterrupted;
  }

 private:
  pid_t launch(const SweepRun& run) {
    const fs::path checkpoint = folder_ / (run.name + ".h5");
    std::vector<std::string> args{"gibbs", "--memory-limit", std::to_string(memory_budget() / jobs_), "--simd",
                                  gibbs::simd::current_target().name};
    for (const std::string& dirs : plugin_path()) args.insert(args.end(), {"--plugin-path", dirs});
    args.push_back("train");
    for (std::string& arg : train_args(run, checkpoint)) args.push_back(std::move(arg));
    args.insert(args.end(), {"--threads", std::to_string(threads_)});
    std::vector<char*> argv, envp;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> environment = environment_outside_the_job();
    for (std::string& variable : environment) envp.push_back(variable.data());
    envp.push_back(nullptr);
    const std::string log = (folder_ / (run.name + ".log")).string();
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw IoError(log, std::string("cannot write: ") + std::strerror(errno));
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) {
      // Its own process group: a Ctrl-C reaches the sweep, which passes it on once.
      ::setpgid(0, 0);
      ::prctl(PR_SET_PDEATHSIG, SIGINT);  // the sweep killed: the run saves and stops
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
      ::execve("/proc/self/exe", argv.data(), envp.data());
      ::_exit(127);
    }
    ::close(fd);
    if (pid < 0) throw IoError(log, std::string("cannot start the run: ") + std::strerror(errno));
    return pid;
  }

  fs::path folder_;
  std::size_t jobs_, threads_;
  std::FILE* out_;
};

int sweep(Args args) {
  if (asks_for_help(args)) {
    fmt::print("{}\nEvery other option is gibbs train's ('gibbs train --model NAME --help' lists them).\n",
               kSpec.help());
    return 0;
  }
  po::options_description own;
  for (const Option& option : kSpec.options) own.add(option.description());
  const po::parsed_options parsed =
      po::command_line_parser(std::vector<std::string>(args.begin(), args.end()))
          .options(own)
          .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)  // --seed is train's
          .allow_unregistered()
          .run();
  po::variables_map vm;
  po::store(parsed, vm);
  po::notify(vm);
  if (!vm.contains("output")) kSpec.missing("-o DIR");
  const std::vector<std::string> passed = po::collect_unrecognized(parsed.options, po::include_positional);
  const std::size_t seeds = vm["seeds"].as<std::size_t>();
  for (const std::string& arg : passed)
    for (const std::string& owned : {"--resume", "--threads"})
      if (arg == owned || arg.starts_with(owned + "="))
        throw ArgumentError(fmt::format("sweep: {} is the sweep's to set", owned));
  if (seeds > 0 &&
      std::ranges::any_of(passed, [](const std::string& a) { return a == "--seed" || a.starts_with("--seed="); }))
    throw ArgumentError("sweep: --seeds N trains seeds 0 to N-1: give --seed or --seeds, not both");

  std::vector<Axis> axes;
  if (vm.contains("grid"))
    for (const std::string& text : vm["grid"].as<std::vector<std::string>>()) {
      Axis axis = parse_axis(text);
      if (kSweepOwns.contains(axis.name))
        throw ArgumentError(fmt::format("--grid: --{} cannot vary in a sweep", axis.name));
      if (axis.name == "seed" && seeds > 0) throw ArgumentError("--grid: seed and --seeds: give one");
      if (std::ranges::any_of(axes, [&](const Axis& a) { return a.name == axis.name; }))
        throw ArgumentError(fmt::format("--grid: --{} is given twice", axis.name));
      if (std::ranges::any_of(passed, [&](const std::string& a) { return a == "--" + axis.name; }))
        throw ArgumentError(fmt::format("--grid: --{} is also given as a fixed option", axis.name));
      axes.push_back(std::move(axis));
    }
  const std::vector<SweepRun> runs = plan_sweep(passed, axes, seeds);
  const fs::path folder = vm["output"].as<std::string>();
  const std::string declaration = sweep_declaration(runs);
  claim_folder(folder, declaration, false);

  // Every run's options are checked, and every dataset opened, before anything trains.
  std::set<std::string> datasets;
  for (const SweepRun& run : runs) {
    try {
      const std::optional<TrainingPlan> plan = plan_training(train_args(run, folder / (run.name + ".h5")));
      if (!plan) return 0;
      datasets.insert(std::get<std::string>(plan->config.at("data")));
    } catch (const po::unknown_option& e) {
      for (const Axis& axis : axes)
        if (e.get_option_name() == "--" + axis.name)
          throw ArgumentError(fmt::format("--grid: gibbs train has no option --{} for this model", axis.name));
      throw;
    }
  }
  for (const std::string& data : datasets) io::DatasetReader reader(data);

  const World& world = World::get();
  if (world.rank() == 0) claim_folder(folder, declaration, true);
  world.barrier();
  std::vector<std::size_t> mine;
  for (std::size_t i = static_cast<std::size_t>(world.rank()); i < runs.size();
       i += static_cast<std::size_t>(world.size()))
    mine.push_back(i);
  std::size_t cores = vm["threads"].as<std::size_t>();
  if (cores == 0) cores = world.cores();
  set_memory_budget(memory_budget() / static_cast<std::size_t>(world.local_size()));  // the ranks on a machine share it
  std::size_t jobs = vm["jobs"].as<std::size_t>();
  if (jobs == 0) jobs = std::min(cores, mine.size());
  jobs = std::max<std::size_t>(jobs, 1);
  std::vector<long> codes(runs.size(), kNotMine);
  Runner(folder, jobs, std::max<std::size_t>(1, cores / jobs), vm.contains("json")).train(runs, mine, codes);
  codes = world.max_over_ranks(std::move(codes));

  const auto count = [&](long code) { return static_cast<std::size_t>(std::ranges::count(codes, code)); };
  if (count(kInterrupted) > 0) {
    if (world.rank() == 0)
      fmt::print(stderr, "sweep: interrupted, {} of {} runs trained; the same command resumes the others\n",
                 count(kTrained), runs.size());
    return 130;
  }
  if (world.rank() != 0) return count(kFailed) > 0 ? 1 : 0;
  std::vector<RunOutcome> outcomes;
  for (std::size_t i = 0; i < runs.size(); ++i)
    outcomes.push_back({codes[i] == kTrained, codes[i] == kTrained ? "" : "failed: see " + runs[i].name + ".log"});
  for (const std::string& line : write_summary(folder, runs, outcomes, vm.contains("json")))
    fmt::print(vm.contains("json") ? stderr : stdout, "{}\n", line);
  if (count(kFailed) > 0) {
    fmt::print(stderr, "gibbs: sweep: {} of {} runs failed (their logs in {} say why)\n", count(kFailed), runs.size(),
               folder.string());
    return 1;
  }
  return 0;
}

const Registration registration{kSpec, sweep};

}  // namespace
}  // namespace gibbs::cli
