// A plugin folder of entries named like plugins that are not (issue 14): a truncated copy of a real
// plugin, a FIFO, a directory, a dangling link, and damaged ELF headers; each with the problem
// gibbs reports for it, in file-name order.
#pragma once

#include <link.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"

namespace gibbs::test {

struct HostilePlugin {
  std::string name;     // the file name, libgibbs-<...>.so
  std::string problem;  // what gibbs says after "<file>: "
};

// The byte after the last one any segment of the ELF shared object `bytes` needs.
inline std::uint64_t elf_needed_size(const std::string& bytes) {
  ElfW(Ehdr) header;
  std::memcpy(&header, bytes.data(), sizeof header);
  std::uint64_t needed = header.e_phoff + std::uint64_t{header.e_phnum} * sizeof(ElfW(Phdr));
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    ElfW(Phdr) segment;
    std::memcpy(&segment, bytes.data() + header.e_phoff + i * sizeof segment, sizeof segment);
    needed = std::max<std::uint64_t>(needed, segment.p_offset + segment.p_filesz);
  }
  return needed;
}

inline void write_bytes(const std::filesystem::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

// Writes the hostile entries into `folder`, made from `library`, a good plugin.
inline std::vector<HostilePlugin> write_hostile_plugins(const std::filesystem::path& folder,
                                                        const std::filesystem::path& library) {
  namespace fs = std::filesystem;
  const std::string good = slurp(library);
  const auto file = [&](const std::string& name) { return folder / ("libgibbs-" + name + ".so"); };
  ElfW(Ehdr) header;
  std::memcpy(&header, good.data(), sizeof header);

  std::string other_class = good;
  other_class[EI_CLASS] = ELFCLASS32;
  write_bytes(file("hclass"), other_class);
  fs::create_directory(file("hdir"));
  write_bytes(file("hempty"), "");
  ::mkfifo(file("hfifo").c_str(), 0644);
  fs::create_symlink("nowhere.so", file("hgone"));
  write_bytes(file("hheader"), good.substr(0, 40));
  std::string other_machine = good;
  const std::uint16_t machine = header.e_machine == EM_X86_64 ? EM_AARCH64 : EM_X86_64;
  std::memcpy(other_machine.data() + offsetof(ElfW(Ehdr), e_machine), &machine, sizeof machine);
  write_bytes(file("hmachine"), other_machine);
  const std::uint64_t needed = elf_needed_size(good);
  write_bytes(file("htruncated"), good.substr(0, needed - 1));

  return {
      {"libgibbs-hclass.so", "built for 32-bit machines, and this gibbs is 64-bit"},
      {"libgibbs-hdir.so", "is a directory, not a library file"},
      {"libgibbs-hempty.so", "not a shared library (no ELF header)"},
      {"libgibbs-hfifo.so", "is a FIFO, not a library file"},
      {"libgibbs-hgone.so", "is a symbolic link to nowhere.so, which does not exist"},
      {"libgibbs-hheader.so", "truncated: 40 bytes, shorter than its ELF header"},
      {"libgibbs-hmachine.so", "built for another machine (ELF machine " + std::to_string(machine) + ", expected " +
                                   std::to_string(header.e_machine) + ")"},
      {"libgibbs-htruncated.so",
       "truncated: " + std::to_string(needed - 1) + " bytes, and its segments need " + std::to_string(needed)},
  };
}

}  // namespace gibbs::test
