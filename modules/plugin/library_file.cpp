// gibbs.plugin:library — the checks on a plugin file before dlopen touches it. dlopen blocks for
// ever on a FIFO, and the loader maps a truncated library and dies of SIGBUS when it reaches a page
// past the end of the file; so only a regular, readable ELF shared object for this machine whose
// segments all lie within the file is handed to dlopen.
module;
#include <fcntl.h>
#include <fmt/format.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>
module gibbs.plugin;
import gibbs.core;

namespace fs = std::filesystem;

namespace gibbs {
namespace {

using Header = ElfW(Ehdr);
using Segment = ElfW(Phdr);

constexpr unsigned char kClass = sizeof(void*) == 8 ? ELFCLASS64 : ELFCLASS32;
constexpr unsigned char kData = std::endian::native == std::endian::little ? ELFDATA2LSB : ELFDATA2MSB;
#if defined(__x86_64__)
constexpr unsigned kMachine = EM_X86_64;
#elif defined(__aarch64__)
constexpr unsigned kMachine = EM_AARCH64;
#else
constexpr unsigned kMachine = EM_NONE;  // not checked: dlopen says it
#endif

// Exactly `size` bytes at `offset`; false when the file ends first or the read fails.
bool read_at(int fd, void* out, std::size_t size, std::uint64_t offset) {
  auto* bytes = static_cast<char*>(out);
  while (size > 0) {
    const ssize_t got = ::pread(fd, bytes, size, static_cast<off_t>(offset));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    bytes += got, size -= static_cast<std::size_t>(got), offset += static_cast<std::uint64_t>(got);
  }
  return true;
}

std::string elf_problem(int fd, std::uint64_t size) {
  Header h{};
  if (size < EI_NIDENT || !read_at(fd, h.e_ident, EI_NIDENT, 0) || std::memcmp(h.e_ident, ELFMAG, SELFMAG) != 0)
    return "not a shared library (no ELF header)";
  if (h.e_ident[EI_CLASS] != kClass)
    return fmt::format("built for {}-bit machines, and this gibbs is {}-bit",
                       h.e_ident[EI_CLASS] == ELFCLASS32   ? "32"
                       : h.e_ident[EI_CLASS] == ELFCLASS64 ? "64"
                                                           : "?",
                       kClass == ELFCLASS64 ? 64 : 32);
  if (h.e_ident[EI_DATA] != kData) return "built for the other byte order";
  if (size < sizeof h) return fmt::format("truncated: {} bytes, shorter than its ELF header", size);
  if (!read_at(fd, &h, sizeof h, 0)) return "cannot read its ELF header";
  if (h.e_type != ET_DYN) return fmt::format("not a shared library (ELF type {})", h.e_type);
  if (kMachine != EM_NONE && h.e_machine != kMachine)
    return fmt::format("built for another machine (ELF machine {}, expected {})", h.e_machine, kMachine);
  if (h.e_phentsize != sizeof(Segment) || h.e_phnum == 0 || h.e_phnum == PN_XNUM)
    return fmt::format("damaged: {} program headers of {} bytes", h.e_phnum, h.e_phentsize);
  const std::uint64_t table_end = std::uint64_t{h.e_phoff} + std::uint64_t{h.e_phnum} * sizeof(Segment);
  if (h.e_phoff > size || table_end > size)
    return fmt::format("truncated: {} bytes, and its program headers end at byte {}", size, table_end);
  std::vector<Segment> segments(h.e_phnum);
  if (!read_at(fd, segments.data(), segments.size() * sizeof(Segment), h.e_phoff))
    return "cannot read its program headers";
  // Every segment's bytes, PT_LOAD's above all, must be in the file: the loader maps them.
  std::uint64_t needed = table_end;
  for (const Segment& s : segments) {
    if (s.p_filesz > UINT64_MAX - s.p_offset) return "damaged: a segment ends past 2^64 bytes";
    needed = std::max<std::uint64_t>(needed, std::uint64_t{s.p_offset} + s.p_filesz);
  }
  if (needed > size) return fmt::format("truncated: {} bytes, and its segments need {}", size, needed);
  return {};
}

}  // namespace

std::string plugin_file_problem(const fs::path& file) {
  struct stat s{};
  if (::stat(file.c_str(), &s) != 0) {
    const int error = errno;
    std::error_code ec;
    if (error == ENOENT && fs::is_symlink(fs::symlink_status(file, ec)))
      return fmt::format("is a symbolic link to {}, which does not exist", fs::read_symlink(file, ec).string());
    return fmt::format("cannot read: {}", std::strerror(error));
  }
  if (!S_ISREG(s.st_mode)) return fmt::format("is {}, not a library file", file_type_name(s.st_mode));
  const int fd = ::open(file.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);  // no wait, were it now a FIFO
  if (fd < 0) return fmt::format("cannot read: {}", std::strerror(errno));
  std::string problem;
  if (::fstat(fd, &s) != 0 || !S_ISREG(s.st_mode))
    problem = "changed while it was checked";
  else
    problem = elf_problem(fd, static_cast<std::uint64_t>(s.st_size));
  ::close(fd);
  return problem;
}

}  // namespace gibbs
