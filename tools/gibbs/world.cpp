// World over MPI (GIBBS_HAVE_MPI), or the one process without it.
#include "tools/gibbs/world.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdlib>
#include <span>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#ifdef GIBBS_HAVE_MPI
#include <mpi.h>
#endif
import gibbs.core;

namespace gibbs::cli {
namespace {

// Open MPI's mpirun, and srun through PMIx or PMI, set these in every process they start.
bool started_by_launcher() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

constexpr const char* kLauncherPrefixes[] = {"OMPI_", "PMIX_", "PMI_"};

}  // namespace

bool launched_with_others() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* size = std::getenv(name); size != nullptr && std::atol(size) > 1) return true;
  const char* tasks = std::getenv("SLURM_NTASKS");
  return std::getenv("PMIX_RANK") != nullptr && tasks != nullptr && std::atol(tasks) > 1;
}

bool reports_errors() {
  for (const char* name : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"})
    if (const char* rank = std::getenv(name); rank != nullptr) return std::atol(rank) == 0;
  return true;
}

std::vector<std::string> environment_outside_the_job() {
  std::vector<std::string> kept;
  for (char** variable = environ; *variable != nullptr; ++variable) {
    const std::string text = *variable;
    if (std::ranges::none_of(kLauncherPrefixes, [&](const char* prefix) { return text.starts_with(prefix); }))
      kept.push_back(text);
  }
  return kept;
}

std::size_t World::cores() const {
  return std::max<std::size_t>(1, std::thread::hardware_concurrency() / static_cast<std::size_t>(local_size_));
}

World& World::get() {
  static World world;
  return world;
}

#ifdef GIBBS_HAVE_MPI

World::World() {
  if (!started_by_launcher()) return;
  MPI_Init(nullptr, nullptr);
  started_ = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  MPI_Comm local;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &local);
  MPI_Comm_size(local, &local_size_);
  MPI_Comm_free(&local);
}

World::~World() {
  if (started_) MPI_Finalize();
}

void World::barrier() const {
  if (started_) MPI_Barrier(MPI_COMM_WORLD);
}

std::vector<long> World::max_over_ranks(std::vector<long> values) const {
  if (started_)
    MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_LONG, MPI_MAX, MPI_COMM_WORLD);
  return values;
}

namespace {
// MPI's int counts and offsets for `sizes` floats in a row.
std::pair<std::vector<int>, std::vector<int>> counts_and_offsets(std::span<const std::size_t> sizes) {
  std::vector<int> counts, offsets;
  std::size_t offset = 0;
  for (const std::size_t size : sizes) {
    if (size > INT_MAX || offset > INT_MAX)
      throw ArgumentError(fmt::format("an exchange of {} floats is more than MPI's int counts address", offset + size));
    counts.push_back(static_cast<int>(size));
    offsets.push_back(static_cast<int>(offset));
    offset += size;
  }
  return {counts, offsets};
}
}  // namespace

void World::all_gather(std::span<const float> mine, std::span<float> all, std::span<const std::size_t> sizes) const {
  if (!started_) return (void)std::ranges::copy(mine, all.begin());
  const auto [counts, offsets] = counts_and_offsets(sizes);
  MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_FLOAT, all.data(), counts.data(), offsets.data(),
                 MPI_FLOAT, MPI_COMM_WORLD);
}

void World::all_to_all(std::span<const float> send, std::span<const std::size_t> to, std::span<float> receive,
                       std::span<const std::size_t> from) const {
  if (!started_) return (void)std::ranges::copy(send, receive.begin());
  const auto [send_counts, send_offsets] = counts_and_offsets(to);
  const auto [receive_counts, receive_offsets] = counts_and_offsets(from);
  MPI_Alltoallv(send.data(), send_counts.data(), send_offsets.data(), MPI_FLOAT, receive.data(), receive_counts.data(),
                receive_offsets.data(), MPI_FLOAT, MPI_COMM_WORLD);
}

#else

World::World() {
  if (started_by_launcher())
    throw ArgumentError(
        "this gibbs was built without MPI, so its processes under mpirun or srun would not know "
        "each other: run it alone, or build gibbs with libopenmpi-dev installed");
}
World::~World() = default;
void World::barrier() const {}
std::vector<long> World::max_over_ranks(std::vector<long> values) const { return values; }
void World::all_gather(std::span<const float> mine, std::span<float> all, std::span<const std::size_t>) const {
  std::ranges::copy(mine, all.begin());
}
void World::all_to_all(std::span<const float> send, std::span<const std::size_t>, std::span<float> receive,
                       std::span<const std::size_t>) const {
  std::ranges::copy(send, receive.begin());
}

#endif

}  // namespace gibbs::cli
