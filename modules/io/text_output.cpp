// gibbs.io:atomic — TextOutput: a text file written atomically, or standard output written directly
// when the user names it ("-", /dev/stdout).
module;
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
module gibbs.io;
import gibbs.core;

namespace gibbs::io {

TextOutput::TextOutput(const std::filesystem::path& path) : path_(path) {
  if (is_standard_output(path)) {
    stream_ = stdout;
    return;
  }
  file_ = std::make_unique<AtomicFile>(path);
  stream_ = std::fopen(file_->temporary().c_str(), "w");
  if (stream_ == nullptr) throw IoError(path.string(), std::string("cannot write: ") + std::strerror(errno));
}

TextOutput::~TextOutput() {
  if (file_ != nullptr && stream_ != nullptr) std::fclose(stream_);
}

void TextOutput::commit() {
  errno = 0;
  int error = std::fflush(stream_) != 0 || std::ferror(stream_) ? (errno != 0 ? errno : EIO) : 0;
  if (file_ != nullptr) {
    if (std::fclose(stream_) != 0 && error == 0) error = errno;
    stream_ = nullptr;
  }
  if (error != 0) throw IoError(path_.string(), std::string("cannot write: ") + std::strerror(error));
  if (file_ != nullptr) file_->commit();
}

}  // namespace gibbs::io
