// gibbs.io:atomic — check_output, the one place that says what an output may replace, and the
// inputs this process has read, which no output may replace once protect_inputs() was called.
module;
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>
module gibbs.io;
import gibbs.core;

namespace fs = std::filesystem;

namespace gibbs::io {
namespace {

struct Input {
  dev_t device;
  ino_t inode;
  std::string path;  // as the reader named it
};

struct Inputs {
  std::mutex mutex;
  std::vector<Input> files;
  bool protect = false;
};

Inputs& inputs() {
  static Inputs all;
  return all;
}

// Names of the standard streams, which an output file must not replace (a text output may write
// to standard output: TextOutput).
bool is_standard_stream(const fs::path& path) {
  const std::string text = path.string();
  return text == "-" || text == "/dev/stdin" || text == "/dev/stdout" || text == "/dev/stderr" ||
         text.starts_with("/dev/fd/") || text.starts_with("/proc/self/fd/");
}

std::string error_text(int error) { return std::strerror(error); }

// A new file's folder must exist.
void check_folder(const fs::path& path) {
  const fs::path folder = path.parent_path().empty() ? fs::path(".") : path.parent_path();
  struct stat s{};
  if (::stat(folder.c_str(), &s) != 0 || !S_ISDIR(s.st_mode))
    throw IoError(path.string(), fmt::format("cannot write: folder '{}' does not exist", folder.string()));
}

}  // namespace

bool is_standard_output(const fs::path& path) { return path == "-" || path == "/dev/stdout"; }

void protect_inputs() {
  const std::lock_guard lock(inputs().mutex);
  inputs().protect = true;
}

void record_input(const fs::path& path) {
  struct stat s{};
  if (::stat(path.c_str(), &s) != 0) return;  // the reader reports what is wrong with it
  Inputs& all = inputs();
  const std::lock_guard lock(all.mutex);
  const auto same = [&](const Input& i) { return i.device == s.st_dev && i.inode == s.st_ino; };
  if (std::ranges::none_of(all.files, same)) all.files.push_back({s.st_dev, s.st_ino, path.string()});
}

void release_input(const fs::path& path) {
  struct stat s{};
  if (::stat(path.c_str(), &s) != 0) return;
  Inputs& all = inputs();
  const std::lock_guard lock(all.mutex);
  std::erase_if(all.files, [&](const Input& i) { return i.device == s.st_dev && i.inode == s.st_ino; });
}

fs::path check_output(const fs::path& path) {
  const std::string name = path.string();
  if (name.empty()) throw ArgumentError("an output needs a file name");
  if (is_standard_stream(path))
    throw IoError(name, "is a standard stream; only a text output (predict -o) can go to standard output");
  struct stat s{};
  if (::lstat(path.c_str(), &s) != 0) {
    if (errno != ENOENT) throw IoError(name, "cannot write: " + error_text(errno));
    check_folder(path);
    return path;
  }
  fs::path file = path;
  if (S_ISLNK(s.st_mode)) {
    std::error_code ec;
    const fs::path destination = fs::read_symlink(path, ec);
    if (::stat(path.c_str(), &s) != 0) {
      if (errno == ENOENT)
        throw IoError(name, fmt::format("is a symbolic link to {}, which does not exist", destination.string()));
      throw IoError(name, "cannot follow the symbolic link: " + error_text(errno));
    }
    file = fs::canonical(path, ec);
    if (!S_ISREG(s.st_mode))  // a link into /proc/self/fd/ may have no path to name: then its text
      throw IoError(name, fmt::format("is a symbolic link to {}, {}; outputs are written to regular files only",
                                      (ec ? destination : file).string(), file_type_name(s.st_mode)));
    if (ec) throw IoError(name, "cannot follow the symbolic link: " + ec.message());
  } else if (!S_ISREG(s.st_mode)) {
    throw IoError(name, fmt::format("is {}; outputs are written to regular files only", file_type_name(s.st_mode)));
  }
  Inputs& all = inputs();
  const std::lock_guard lock(all.mutex);
  if (!all.protect) return file;
  for (const Input& input : all.files)
    if (input.device == s.st_dev && input.inode == s.st_ino)
      throw IoError(name, input.path == name
                              ? std::string("is an input of this command; write the output to another file")
                              : fmt::format("is the same file as {}, an input of this command; write the output "
                                            "to another file",
                                            input.path));
  return file;
}

}  // namespace gibbs::io
