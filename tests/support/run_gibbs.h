// Runs the real gibbs binary (GIBBS_CLI, set by CMake) the way a user would, in a folder,
// and captures its exit status, standard output and standard error.
#pragma once

#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tests/support/temp_dir.h"

namespace gibbs::test {

struct Result {
  int status = -1;  // exit status, or 128 + signal
  std::string out, err;
};

// Runs a shell command in `dir`, capturing its output.
inline Result run_command(const std::string& command, const std::filesystem::path& dir) {
  const auto out = dir / ".gibbs-stdout", err = dir / ".gibbs-stderr";
  const int raw = std::system(
      ("cd '" + dir.string() + "' && " + command + " >'" + out.string() + "' 2>'" + err.string() + "'").c_str());
  Result r{WIFEXITED(raw) ? WEXITSTATUS(raw) : WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : -1, slurp(out), slurp(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// `gibbs <args>` run in `dir` with `env` (e.g. "VAR=1") before it; args are plain words,
// paths quoted by the caller where needed.
inline Result run_gibbs(const std::string& args, const std::filesystem::path& dir, const std::string& env = "") {
  return run_command(env + " '" + GIBBS_CLI + "' " + args, dir);
}

#ifdef GIBBS_MPIEXEC
// mpirun (GIBBS_MPIEXEC, set by CMake where it found MPI), as root too and with more ranks than cores.
inline const std::string kMpirun =
    "OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 '" GIBBS_MPIEXEC "' --oversubscribe ";

// `gibbs <args> --threads T` on `ranks` ranks in `dir`. With several threads a rank, unbound: Open
// MPI would otherwise pin each rank to one core.
inline Result mpirun(int ranks, const std::string& args, const std::filesystem::path& dir, int threads = 1) {
  return run_command(kMpirun + (threads > 1 ? "--bind-to none " : "") + "-np " + std::to_string(ranks) + " '" +
                         GIBBS_CLI + "' " + args + " --threads " + std::to_string(threads),
                     dir);
}
#endif

inline std::size_t line_count(const std::string& text) {
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

}  // namespace gibbs::test
