// gibbs.io:atomic — a file that appears under its name complete or not at all: written to a
// temporary file in the same folder, flushed to disk, then renamed into place.
module;
#include <filesystem>
export module gibbs.io:atomic;

export namespace gibbs::io {

// Content goes to temporary() = "<target>.tmp-<pid>"; commit() fsyncs it, renames it over the
// target and fsyncs the folder. Without commit() the destructor removes the temporary file,
// so a failed write leaves no output and never touches an existing target.
// Test hook: with GIBBS_TEST_KILL_BEFORE_RENAME set, commit() kills the process (SIGKILL)
// after the fsync and before the rename.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);  // IoError when the folder is missing
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temporary() const { return temporary_; }
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temporary_;
  bool committed_ = false;
};

}  // namespace gibbs::io
