// The end-to-end benchmarks' shared helpers: the median, JSON numbers, the peer subprocess.
#include "tools/gibbs/bench_peer.h"

#include <fmt/format.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "bench/peers.h"
import gibbs.simd;

namespace gibbs::cli {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? NAN : v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

std::optional<double> json_value(const std::string& line, const std::string& key) {
  const std::size_t at = line.find("\"" + key + "\":");
  if (at == std::string::npos) return std::nullopt;
  const char* p = line.c_str() + at + key.size() + 3;
  while (*p == ' ') ++p;
  if (*p != '[') return std::strtod(p, nullptr);
  std::vector<double> values;
  for (++p; *p != ']' && *p != '\0';) {
    char* end = nullptr;
    values.push_back(std::strtod(p, &end));
    if (end == p) break;
    p = end;
    while (*p == ',' || *p == ' ') ++p;
  }
  return median(values);
}

std::optional<std::string> json_text(const std::string& line, const std::string& key) {
  std::size_t at = line.find("\"" + key + "\":");
  if (at == std::string::npos) return std::nullopt;
  at = line.find_first_not_of(' ', at + key.size() + 3);
  if (at == std::string::npos || line[at] != '"') return std::nullopt;
  std::string text;
  for (++at; at < line.size() && line[at] != '"'; ++at) {
    if (line[at] == '\\' && at + 1 < line.size() && (line[at + 1] == '"' || line[at + 1] == '\\')) ++at;
    text += line[at];
  }
  if (at == line.size()) return std::nullopt;  // no closing quote
  return text;
}

std::string peer_label(const std::string& name, const std::string& version) {
  return version.empty() ? name : name + " " + version;
}

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::vector<Option> with_peer_options(std::vector<Option> own) {
  own.emplace_back("peers", value<std::string>("DIR", GIBBS_PEERS_DIR), "the peer scripts");
  own.emplace_back("python", value<std::string>("FILE", kDefaultPython),
                   "the Python that runs the peer scripts, one with PyTorch and NumPy (a virtual environment's "
                   "bin/python3, say; a name without a slash is looked up on PATH)");
  own.emplace_back("no-peers", "gibbs only");
  return own;
}

std::optional<PeerScripts> peer_scripts(const boost::program_options::variables_map& vm) {
  if (vm.contains("no-peers")) return std::nullopt;
  return PeerScripts{vm["peers"].as<std::string>(), vm["python"].as<std::string>()};
}

std::string PeerConfig::name() const {
  return fmt::format("{} thread{}, OpenMP {}, BLAS {}", threads, threads == 1 ? "" : "s", spin ? "active" : "passive",
                     blas_threads);
}

std::vector<PeerConfig> peer_configurations(bool openmp) {
  if (!openmp) return {{1, false, 1}, {2, false, 2}};
  return {{1, false, 1}, {1, true, 1}, {2, false, 2}, {2, true, 2}, {2, false, 1}, {2, true, 1}};
}

namespace {

// `timeout -s KILL limit`, and what runs the peer under it. Under a real-time policy (chrt -f or
// -r, which the peer inherits) a peer's spinning OpenMP threads would keep the timeout off every
// core: it then runs one priority above, and the peer at this process's own.
std::string watched(long limit) {
  if (limit <= 0) return "";
  const std::string timeout = fmt::format("timeout -s KILL {} ", limit);
  const int policy = ::sched_getscheduler(0);
  sched_param param{};
  if ((policy != SCHED_FIFO && policy != SCHED_RR) || ::sched_getparam(0, &param) != 0 ||
      param.sched_priority >= ::sched_get_priority_max(policy))
    return timeout;
  const char* flag = policy == SCHED_FIFO ? "-f" : "-r";
  return fmt::format("chrt {} {} {}chrt {} {} ", flag, param.sched_priority + 1, timeout, flag, param.sched_priority);
}

}  // namespace

PeerOutput run_peer_script(const PeerScripts& peers, const std::string& script, const std::string& arguments,
                           const PeerConfig& config) {
  const long limit = std::lround(std::ceil(config.time_limit));
  const auto start = std::chrono::steady_clock::now();
  const char* core = bench::peer_isa_for(simd::current_target().name).openblas_core;
  PeerOutput out = run_json_command(
      fmt::format("OPENBLAS_CORETYPE={} OMP_WAIT_POLICY={} {}{} {} {} --threads {} --blas-threads {}", core,
                  config.spin ? "ACTIVE" : "PASSIVE", watched(limit), shell_quote(peers.python.string()),
                  shell_quote((peers.dir / script).string()), arguments, config.threads, config.blas_threads));
  out.version = json_text(out.line, "version").value_or("");
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (limit > 0 && !out.problem.empty() && wall >= static_cast<double>(limit)) {
    out.problem =
        fmt::format("stopped after {} s, over {:g}× the fastest configuration's time", limit, kPeerTimeFactor);
    fmt::print(stderr, "peer configuration stopped: {} ({}): {}\n", script, config.name(), out.problem);
  }
  return out;
}

PeerOutput run_json_command(const std::string& shell_command) {
  const std::string command = shell_command + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", "cannot start a shell"};
  std::string output, last;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  const int status = ::pclose(pipe);
  // The last non-empty line: the JSON record, or the peer's one-line error.
  const std::size_t end = output.find_last_not_of("\r\n");
  if (end != std::string::npos) {
    const std::size_t begin = output.rfind('\n', end);
    const std::size_t first = begin == std::string::npos ? 0 : begin + 1;
    last = output.substr(first, end + 1 - first);
  }
  if (status != 0 || !last.starts_with("{")) return {"", last.empty() ? "no output" : last};
  return {last, ""};
}

}  // namespace gibbs::cli
