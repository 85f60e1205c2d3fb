// `gibbs capacity --inputs N --max-patterns P --trials T [...]`: the capacity experiment of the
// course notebook (capacity.h's capacity_sweep): a table of P, P/N and the share of random pattern
// sets learned to zero error, the load P/N where that share crosses 1/2, and optionally the curve.
#include <fmt/format.h>
#include <fmt/ostream.h>
#include <fmt/ranges.h>
#include <boost/program_options.hpp>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>
#include <vector>

#include "plugins/perceptron/capacity.h"
#include "plugins/perceptron/perceptron_model.h"
import gibbs.core;
import gibbs.viz;

namespace po = boost::program_options;

namespace gibbs::perceptron {
namespace {

constexpr const char* kUsage =
    "usage: gibbs capacity --inputs N --max-patterns P --trials T [--step S] [--max-epochs E] [--seed S] [--lr X] "
    "[--threads T] [--plot capacity.png] [--json]";

// A value that must be at least `least`; Program_options reads negative numbers into unsigned
// types without a word, so they are read as signed and checked here.
std::size_t at_least(const po::variables_map& vm, const char* name, std::int64_t least) {
  const std::int64_t value = vm[name].as<std::int64_t>();
  if (value < least)
    throw ArgumentError(fmt::format("capacity: --{} must be at least {} (got {})", name, least, value));
  return static_cast<std::size_t>(value);
}

void plot(const std::string& path, std::span<const CapacityPoint> points, std::size_t inputs, double half) {
  viz::Figure f;
  f.title = fmt::format("Perceptron capacity, N = {}", inputs);
  f.x_label = "P / N (patterns per input)";
  f.y_label = "share of pattern sets learned";
  viz::Line curve{{}, {}, 0, false, fmt::format("N = {}", inputs)};
  for (const CapacityPoint& p : points) {
    curve.x.push_back(static_cast<double>(p.patterns) / static_cast<double>(inputs));
    curve.y.push_back(p.fraction());
  }
  f.x0 = 0, f.x1 = curve.x.back() * 1.05, f.y0 = -0.05, f.y1 = 1.05;
  f.lines.push_back({{f.x0, f.x1}, {0.5, 0.5}, 3, true, "1/2"});
  f.lines.push_back(curve);
  if (std::isfinite(half)) f.lines.push_back({{half, half}, {f.y0, f.y1}, 7, true, fmt::format("P/N = {:.3g}", half)});
  viz::plot_figure(path, f);
}

}  // namespace

int capacity_command(std::span<const std::string> args) {
  po::options_description options("gibbs capacity options");
  options.add_options()("help,h", "print this help")("inputs", po::value<std::int64_t>()->value_name("N"),
                                                     "inputs of the perceptron (the notebook: 20)")(
      "max-patterns", po::value<std::int64_t>()->value_name("P"), "the largest pattern count")(
      "trials", po::value<std::int64_t>()->value_name("T"), "random pattern sets per count")(
      "step", po::value<std::int64_t>()->default_value(1)->value_name("S"),
      "counts S, 2S, ... up to P (from 2 when S is 1)")("max-epochs",
                                                        po::value<std::int64_t>()->default_value(100)->value_name("E"),
                                                        "epochs before a set counts as not learned")(
      "seed", po::value<std::int64_t>()->default_value(0)->value_name("S"), "seed of the patterns, labels and orders")(
      "lr", po::value<double>()->default_value(0.01)->value_name("X"),
      "learning rate (zero start: it only scales the weights)")(
      "threads", po::value<int>()->value_name("T"),
      "worker threads (0: one per core); the result does not depend on it")(
      "plot", po::value<std::string>()->value_name("PNG"), "draw the curve, with a dashed line at 1/2")(
      "json", "one JSON object instead of the table");
  po::variables_map vm;
  po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.end())).options(options).run(), vm);
  po::notify(vm);
  if (vm.contains("help")) {
    fmt::print("{}\n\n{}", kUsage, fmt::streamed(options));
    std::fflush(stdout);
    return 0;
  }
  for (const char* required : {"inputs", "max-patterns", "trials"})
    if (!vm.contains(required)) throw ArgumentError(fmt::format("capacity: --{} is required ({})", required, kUsage));
  if (vm.contains("threads")) set_thread_count(vm["threads"].as<int>());
  CapacitySettings s;
  s.inputs = at_least(vm, "inputs", 1);
  s.trials = at_least(vm, "trials", 1);
  s.max_epochs = at_least(vm, "max-epochs", 1);
  const std::size_t largest = at_least(vm, "max-patterns", 1), step = at_least(vm, "step", 1);
  const std::int64_t seed = vm["seed"].as<std::int64_t>();
  if (seed < 0) throw ArgumentError(fmt::format("capacity: --seed must be 0 or more (got {})", seed));
  s.seed = static_cast<std::uint64_t>(seed);
  const double lr = vm["lr"].as<double>();
  if (!(lr > 0) || !std::isfinite(lr)) throw ArgumentError(fmt::format("capacity: --lr must be positive (got {})", lr));
  s.lr = static_cast<float>(lr);
  for (std::size_t p = step == 1 ? std::min<std::size_t>(2, largest) : step; p <= largest; p += step)
    s.patterns.push_back(p);
  if (s.patterns.empty())
    throw ArgumentError(fmt::format("capacity: --step {} is larger than --max-patterns {}", step, largest));

  const auto start = std::chrono::steady_clock::now();
  const std::vector<CapacityPoint> points = capacity_sweep(s);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double half = half_point(points, s.inputs);
  const auto load = [&](const CapacityPoint& p) {
    return static_cast<double>(p.patterns) / static_cast<double>(s.inputs);
  };
  if (vm.contains("plot")) plot(vm["plot"].as<std::string>(), points, s.inputs, half);

  if (vm.contains("json")) {
    std::vector<std::string> rows;
    for (const CapacityPoint& p : points)
      rows.push_back(fmt::format(R"({{"patterns": {}, "load": {}, "learned": {}, "fraction": {}}})", p.patterns,
                                 load(p), p.learned, p.fraction()));
    fmt::print(
        R"({{"inputs": {}, "trials": {}, "max_epochs": {}, "seed": {}, "seconds": {}, "half_point": {}, "points": [{}]}})"
        "\n",
        s.inputs, s.trials, s.max_epochs, s.seed, seconds, std::isfinite(half) ? fmt::format("{}", half) : "null",
        fmt::join(rows, ", "));
  } else {
    fmt::print("{:>8} {:>8} {:>10}\n", "P", "P/N", "learned");
    for (const CapacityPoint& p : points) fmt::print("{:>8} {:>8.3f} {:>10.3f}\n", p.patterns, load(p), p.fraction());
    if (std::isfinite(half))
      fmt::print("half point: P/N = {:.3f} (the share learned crosses 1/2)\n", half);
    else
      fmt::print("half point: not reached (the share learned stays above 1/2 up to P = {})\n", largest);
    fmt::print("{} pattern sets in {:.3f} s\n", points.size() * s.trials, seconds);
    if (vm.contains("plot")) fmt::print("{}: the curve\n", vm["plot"].as<std::string>());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace gibbs::perceptron
