// The processes of one gibbs command: under mpirun or srun, the MPI job's ranks; otherwise one
// process, rank 0 of 1. MPI is started only when a launcher started this process (its environment
// says so), so a plain `gibbs` never touches it; gibbs built without MPI is always rank 0 of 1.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace gibbs::cli {

// True when a launcher (mpirun, srun) started this process as one of several: a command that
// is not built for ranks refuses to run so, instead of each rank doing the same work.
bool launched_with_others();

// Whether this process reports errors: all but the ranks other than 0 of a launched job, which
// parse the same arguments and read the same files as rank 0, so that a refusal is one line.
bool reports_errors();

// The environment without the launcher's variables: a process the sweep starts is on its own.
std::vector<std::string> environment_outside_the_job();

class World {
 public:
  // The job this process belongs to, MPI started on first use.
  static World& get();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  int rank() const { return rank_; }
  int size() const { return size_; }
  // The ranks on this machine (this one included): they share its cores.
  int local_size() const { return local_size_; }
  // This rank's share of the machine's cores (at least 1).
  std::size_t cores() const;
  // Waits for every rank.
  void barrier() const;
  // The element-wise maximum of `values` over the ranks, on every rank (the same length on each).
  std::vector<long> max_over_ranks(std::vector<long> values) const;
  // Every rank's `mine` into `all` on every rank, in rank order, rank r giving sizes[r] floats.
  void all_gather(std::span<const float> mine, std::span<float> all, std::span<const std::size_t> sizes) const;
  // To rank j the next to[j] floats of `send`; from rank i from[i] floats into `receive`, both in
  // rank order.
  void all_to_all(std::span<const float> send, std::span<const std::size_t> to, std::span<float> receive,
                  std::span<const std::size_t> from) const;

 private:
  World();
  ~World();
  int rank_ = 0, size_ = 1, local_size_ = 1;
  bool started_ = false;
};

}  // namespace gibbs::cli
