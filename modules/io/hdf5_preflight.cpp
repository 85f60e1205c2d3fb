// gibbs.io:hdf5 — untrusted HDF5 files read first in a child process. libhdf5 1.10 can crash or
// spin forever on a damaged file (the global heap of variable-length strings, chunk layouts); a
// child that reads every object, attribute and value takes that fall instead of the command,
// which then reports one line and writes nothing.
module;
#include <fcntl.h>
#include <fmt/format.h>
#include <hdf5.h>
#include <malloc.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>
#include <vector>
module gibbs.io;
import gibbs.core;

#include "modules/io/hdf5_detail.h"

namespace gibbs::io::h5 {
namespace {

bool enabled = false;

// Reads an attribute or a dataset's values whole (at most 64 MiB at a time for a dataset), in
// the memory type libhdf5 gives for its file type, and frees what variable-length values hold.
void read_values(hid_t type, hid_t space, const std::function<herr_t(hid_t, hid_t, void*)>& read) {
  const hid_t memory = H5Tget_native_type(type, H5T_DIR_ASCEND);
  if (memory < 0) return;
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  const std::size_t size = H5Tget_size(memory);
  if (points > 0 && size > 0 && static_cast<std::size_t>(points) <= (std::size_t{1} << 26) / size) {
    std::vector<unsigned char> buffer(static_cast<std::size_t>(points) * size);
    if (read(memory, space, buffer.data()) >= 0 && H5Tdetect_class(memory, H5T_VLEN) > 0)
      H5Dvlen_reclaim(memory, space, H5P_DEFAULT, buffer.data());
    if (H5Tget_class(memory) == H5T_STRING && H5Tis_variable_str(memory) > 0)
      H5Dvlen_reclaim(memory, space, H5P_DEFAULT, buffer.data());
  }
  H5Tclose(memory);
}

herr_t read_attribute(hid_t object, const char* name, const H5A_info_t*, void*) {
  const hid_t attribute = H5Aopen(object, name, H5P_DEFAULT);
  if (attribute < 0) return 0;
  const hid_t type = H5Aget_type(attribute), space = H5Aget_space(attribute);
  if (type >= 0 && space >= 0)
    read_values(type, space, [&](hid_t memory, hid_t, void* out) { return H5Aread(attribute, memory, out); });
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
  H5Aclose(attribute);
  return 0;
}

// Every row slab of a dataset, 64 MiB or less each.
void read_dataset(hid_t dataset) {
  const hid_t type = H5Dget_type(dataset), space = H5Dget_space(dataset);
  if (type >= 0 && space >= 0) {
    const int rank = H5Sget_simple_extent_ndims(space);
    std::vector<hsize_t> dims(rank > 0 ? static_cast<std::size_t>(rank) : 0);
    if (rank > 0) H5Sget_simple_extent_dims(space, dims.data(), nullptr);
    if (rank <= 0) {
      read_values(type, space, [&](hid_t memory, hid_t, void* out) {
        return H5Dread(dataset, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, out);
      });
    } else {
      hsize_t row = H5Tget_size(type);
      for (int d = 1; d < rank; ++d) row *= dims[static_cast<std::size_t>(d)];
      const hsize_t rows = std::max<hsize_t>(1, (hsize_t{1} << 26) / std::max<hsize_t>(row, 1));
      for (hsize_t first = 0; first < dims[0]; first += rows) {
        std::vector<hsize_t> start(dims.size(), 0), count = dims;
        start[0] = first;
        count[0] = std::min(rows, dims[0] - first);
        const hid_t slab = H5Scopy(space);
        H5Sselect_hyperslab(slab, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
        const hid_t memory_space = H5Screate_simple(rank, count.data(), nullptr);
        read_values(type, memory_space, [&](hid_t memory, hid_t, void* out) {
          return H5Dread(dataset, memory, memory_space, slab, H5P_DEFAULT, out);
        });
        H5Sclose(memory_space);
        H5Sclose(slab);
      }
    }
  }
  if (space >= 0) H5Sclose(space);
  if (type >= 0) H5Tclose(type);
}

// `read_whole`: the datasets whose values the rehearsal has read.
herr_t visit(hid_t root, const char* name, const H5O_info_t* info, void* read_whole) {
  const hid_t object = H5Oopen(root, name, H5P_DEFAULT);
  if (object < 0) return 0;
  H5Aiterate2(object, H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, read_attribute, nullptr);
  // A dataset that cannot hold its values is refused by the reader without reading them.
  if (info->type == H5O_TYPE_DATASET && !static_cast<const std::set<std::string>*>(read_whole)->contains(name) &&
      detail::storage_problem(object).empty())
    read_dataset(object);
  H5Oclose(object);
  return 0;
}

// The child's whole work, ending in _exit(0): errors libhdf5 returns are the parent's to report
// (its own reading words them better); a signal, another exit status or a timeout means libhdf5
// fell.
[[noreturn]] void read_everything(const std::filesystem::path& path, const Rehearsal& rehearse) {
  // A fault ends the child by its signal, even where a sanitizer's handler would turn it into an
  // exit status (a sanitizer's own finding, such as an overlapping memcpy, still exits non-zero).
  for (const int fault : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(fault, SIG_DFL);
  if (const char* test = std::getenv("GIBBS_TEST_HDF5_CHILD"); test != nullptr) {
    if (std::string(test) == "crash") ::raise(SIGSEGV);
    if (std::string(test) == "fail") ::_exit(1);  // as a sanitizer ends a process on its finding
    if (std::string(test) == "hang")
      while (true) ::pause();
  }
  // glibc's own complaint ("free(): invalid pointer") before an abort is not the command's line.
  if (const int null = ::open("/dev/null", O_WRONLY); null >= 0) ::dup2(null, STDERR_FILENO);
  // Memory malloc gives out is filled with a pattern: libhdf5 freeing a pointer it never set (a
  // damaged link message) then crashes here, instead of passing here by luck and corrupting the
  // command's heap.
  ::mallopt(M_PERTURB, 0xa5);
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  std::set<std::string> read_whole;
  if (rehearse) {
    enabled = false;
    try {
      const std::vector<std::string> names = rehearse();
      read_whole.insert(names.begin(), names.end());
    } catch (...) {  // the parent's own reading reports it
    }
  }
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file >= 0) {
    H5Ovisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, visit, &read_whole);  // each object once, cycles included
    H5Fclose(file);
  }
  ::_exit(0);
}

double seconds_allowed(const std::filesystem::path& path) {
  if (const char* test = std::getenv("GIBBS_TEST_HDF5_CHILD_SECONDS"); test != nullptr) return std::atof(test);
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  return 30.0 + (ec ? 0.0 : static_cast<double>(size) / 20e6);  // 20 MB/s, far below a disk's
}

}  // namespace

void check_untrusted_files() { enabled = true; }

void preflight(const std::filesystem::path& path, const Rehearsal& rehearse) {
  if (!enabled) return;
  // A file read once (the same inode, size and time) is not read again, unless now with a rehearsal.
  struct stat s{};
  if (::stat(path.c_str(), &s) != 0) return;
  static std::mutex mutex;
  static std::map<std::tuple<dev_t, ino_t, off_t, std::int64_t>, bool> checked;  // to: rehearsed
  const auto key =
      std::tuple(s.st_dev, s.st_ino, s.st_size, std::int64_t{s.st_mtim.tv_sec} * 1'000'000'000 + s.st_mtim.tv_nsec);
  const std::lock_guard lock(mutex);
  if (const auto it = checked.find(key); it != checked.end() && (it->second || !rehearse)) return;
  const double allowed = seconds_allowed(path);
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return;  // no child to be had: read it here
  if (child == 0) read_everything(path, rehearse);
  const auto start = std::chrono::steady_clock::now();
  int status = 0;
  while (::waitpid(child, &status, WNOHANG) == 0) {
    if (std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > allowed) {
      ::kill(child, SIGKILL);
      ::waitpid(child, &status, 0);
      throw FormatError(path.string(),
                        fmt::format("libhdf5 did not finish reading it within {:.3g} s: the file is damaged", allowed));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  if (WIFSIGNALED(status))
    throw FormatError(path.string(), fmt::format("libhdf5 crashed reading it ({}): the file is damaged",
                                                 ::strsignal(WTERMSIG(status))));
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    throw FormatError(path.string(), fmt::format("libhdf5 failed reading it (exit status {}): the file is damaged",
                                                 WEXITSTATUS(status)));
  checked[key] = static_cast<bool>(rehearse);
}

}  // namespace gibbs::io::h5
