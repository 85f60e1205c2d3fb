// gibbs.io:atomic — temporary file, fsync, rename, fsync the folder.
module;
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
module gibbs.io;
import gibbs.core;

namespace gibbs::io {
namespace {

void sync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IoError(path.string(), std::string("cannot open to sync: ") + std::strerror(errno));
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (status != 0) throw IoError(path.string(), std::string("fsync failed: ") + std::strerror(error));
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  const std::filesystem::path folder = target_.parent_path().empty() ? "." : target_.parent_path();
  std::error_code ec;
  if (!std::filesystem::is_directory(folder, ec))
    throw IoError(target_.string(), "cannot write: folder '" + folder.string() + "' does not exist");
  if (std::filesystem::is_directory(target_, ec)) throw IoError(target_.string(), "cannot write: is a directory");
  temporary_ = target_;
  temporary_ += ".tmp-" + std::to_string(::getpid());
}

AtomicFile::~AtomicFile() {
  if (committed_) return;
  std::error_code ec;
  std::filesystem::remove(temporary_, ec);
}

void AtomicFile::commit() {
  sync_path(temporary_, O_RDONLY);
  if (std::getenv("GIBBS_TEST_KILL_BEFORE_RENAME") != nullptr) ::raise(SIGKILL);
  if (std::rename(temporary_.c_str(), target_.c_str()) != 0)
    throw IoError(target_.string(), std::string("cannot rename the finished file into place: ") + std::strerror(errno));
  committed_ = true;
  const std::filesystem::path folder = target_.parent_path().empty() ? "." : target_.parent_path();
  sync_path(folder, O_RDONLY | O_DIRECTORY);
}

}  // namespace gibbs::io
