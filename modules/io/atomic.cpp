// gibbs.io:atomic — the temporary file: stale ones of killed processes removed, a new one created
// exclusively and locked, then fsync, rename, fsync the folder.
module;
#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <system_error>
module gibbs.io;
import gibbs.core;

namespace fs = std::filesystem;

namespace gibbs::io {
namespace {

std::string error_text(int error) { return std::strerror(error); }

void sync_folder(const fs::path& file) {
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw IoError(folder.string(), "cannot open to sync: " + error_text(errno));
  const int status = ::fsync(fd);
  const int error = errno;
  ::close(fd);
  if (status != 0) throw IoError(folder.string(), "fsync failed: " + error_text(error));
}

// An open-file-description lock on the whole file: it belongs to the open file, not the process,
// and goes when the process dies, however it dies.
int set_lock(int fd, short type, int command) {
  struct flock lock{};
  lock.l_type = type;
  lock.l_whence = SEEK_SET;
  return ::fcntl(fd, command, &lock);
}

bool same_file(const struct stat& a, const struct stat& b) { return a.st_dev == b.st_dev && a.st_ino == b.st_ino; }

// Removes `temporary` when the gibbs that wrote it has gone: its pid (from the name) is no live
// process, unless it is ours (a pid used again), and nobody holds its lock (which also keeps the
// file of a live gibbs in another pid namespace). The check holds a read lock, so its owner could
// not take the file meanwhile; a file system without locks leaves the pid alone to decide.
bool remove_if_stale(const fs::path& temporary, pid_t pid) {
  const bool ours = pid == ::getpid();
  if (!ours && !(::kill(pid, 0) != 0 && errno == ESRCH)) return false;
  const int fd = ::open(temporary.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return false;
  struct stat held{}, named{};
  bool stale = ::fstat(fd, &held) == 0 && S_ISREG(held.st_mode);
  if (stale && set_lock(fd, F_RDLCK, F_OFD_SETLK) != 0) stale = !ours && (errno == EINVAL || errno == ENOLCK);
  stale =
      stale && ::lstat(temporary.c_str(), &named) == 0 && same_file(held, named) && ::unlink(temporary.c_str()) == 0;
  ::close(fd);
  return stale;
}

// The stale temporary files of `file` ("<name>.tmp-<pid>" beside it) of other processes.
void remove_stale_temporaries(const fs::path& file) {
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const std::string prefix = file.filename().string() + ".tmp-";
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (!name.starts_with(prefix) || name.size() == prefix.size() || name[prefix.size()] == '0') continue;
    const std::string_view digits = std::string_view(name).substr(prefix.size());
    pid_t pid = 0;
    const auto [end_of_number, error] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
    if (error != std::errc{} || end_of_number != digits.data() + digits.size() || pid <= 0 || pid == ::getpid())
      continue;
    remove_if_stale(folder / name, pid);
  }
}

// Creates `temporary` (O_EXCL; a stale one of our own pid is removed first) and write-locks it;
// returns the descriptor that holds the lock.
int create_temporary(const fs::path& temporary, const std::string& target) {
  int error = 0;
  for (int attempt = 0; attempt < 3; ++attempt) {
    const int fd = ::open(temporary.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0) {
      error = errno;
      if (error == EEXIST && remove_if_stale(temporary, ::getpid())) continue;
      break;
    }
    // A cleaner holds its read lock only while it checks the file; without locks, go on unlocked.
    while (set_lock(fd, F_WRLCK, F_OFD_SETLKW) != 0 && errno == EINTR) {
    }
    struct stat held{}, named{};
    if (::fstat(fd, &held) == 0 && ::lstat(temporary.c_str(), &named) == 0 && same_file(held, named)) return fd;
    ::close(fd);  // removed before we locked it (by a gibbs of another pid namespace): again
    error = ENOENT;
  }
  throw IoError(target, fmt::format("cannot create the temporary file {}: {}", temporary.string(), error_text(error)));
}

}  // namespace

AtomicFile::AtomicFile(fs::path target) : target_(std::move(target)) {
  file_ = check_output(target_);
  remove_stale_temporaries(file_);
  temporary_ = file_;
  temporary_ += ".tmp-" + std::to_string(::getpid());
  lock_ = create_temporary(temporary_, target_.string());
}

AtomicFile::~AtomicFile() {
  if (!committed_) ::unlink(temporary_.c_str());  // still ours: we hold its lock
  ::close(lock_);
}

void AtomicFile::commit() {
  if (::fsync(lock_) != 0) throw IoError(target_.string(), "fsync failed: " + error_text(errno));
  if (std::getenv("GIBBS_TEST_KILL_BEFORE_RENAME") != nullptr) ::raise(SIGKILL);
  // The rules again: the output may have become a device or a link elsewhere while it was written.
  if (check_output(target_) != file_)
    throw IoError(target_.string(), "changed while it was written (a link that now leads elsewhere); nothing replaced");
  if (std::rename(temporary_.c_str(), file_.c_str()) != 0)
    throw IoError(target_.string(), "cannot rename the finished file into place: " + error_text(errno));
  committed_ = true;
  sync_folder(file_);
}

}  // namespace gibbs::io
