// gibbs.io:atomic — outputs: what a file output may replace (check_output), a file that appears
// under its name complete or not at all (AtomicFile), and text outputs that may go to standard
// output (TextOutput). README "Outputs" states the same rules.
module;
#include <cstdio>
#include <filesystem>
#include <memory>
export module gibbs.io:atomic;

export namespace gibbs::io {

// The rules for every output, checked before anything is written. An output may be a new name in
// an existing folder or a regular file, which is replaced; a symbolic link to a regular file
// replaces the file it names and keeps the link. Anything else is an IoError naming `path`: a
// directory, device, FIFO or socket (also behind a link), a dangling link, a standard stream ("-",
// /dev/stdout: TextOutput takes those), and, once protect_inputs() was called, a file this
// process has read (record_input). Returns the file that will be written (a link's target).
std::filesystem::path check_output(const std::filesystem::path& path);

// Readers record each file they open (HDF5, IDX, text); after protect_inputs() (the CLI calls it
// first thing) no output may replace one, unless release_input() said so (train --resume writes
// the checkpoint it continues). Library users that load and save in place are not affected.
void protect_inputs();
void record_input(const std::filesystem::path& path);
void release_input(const std::filesystem::path& path);

// check_output(target), then the content goes to temporary() = "<file>.tmp-<pid>" beside the
// file check_output returned; commit() fsyncs it, renames it over the file and fsyncs the folder.
// Without commit() the destructor removes the temporary file, so a failed write leaves no output
// and never touches an existing one. The temporary file is created exclusively and holds an
// open-file-description lock while it exists; before creating it, temporary files of the same
// output left by a killed gibbs are removed: those whose pid is no live process and whose lock
// nobody holds (never a file another running gibbs is writing).
// Test hook: with GIBBS_TEST_KILL_BEFORE_RENAME set, commit() kills the process (SIGKILL) after
// the fsync and before the rename.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);  // IoError: check_output's, or no temporary file
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  const std::filesystem::path& target() const { return target_; }
  const std::filesystem::path& temporary() const { return temporary_; }
  void commit();

 private:
  std::filesystem::path target_;     // as given, for messages
  std::filesystem::path file_;       // what is replaced: target_, or the file a link names
  std::filesystem::path temporary_;  // beside file_
  int lock_ = -1;                    // the temporary file, open and locked
  bool committed_ = false;
};

// "-" and "/dev/stdout": the names a text output may give for standard output.
bool is_standard_output(const std::filesystem::path& path);

// A text output (CSV): standard output, written directly, for "-" and /dev/stdout; otherwise an
// AtomicFile. commit() reports a failed write as an IoError naming the path.
class TextOutput {
 public:
  explicit TextOutput(const std::filesystem::path& path);
  TextOutput(const TextOutput&) = delete;
  TextOutput& operator=(const TextOutput&) = delete;
  ~TextOutput();

  std::FILE* stream() const { return stream_; }
  bool to_standard_output() const { return file_ == nullptr; }
  void commit();

 private:
  std::filesystem::path path_;
  std::unique_ptr<AtomicFile> file_;
  std::FILE* stream_ = nullptr;
};

}  // namespace gibbs::io
