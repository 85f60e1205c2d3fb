// dlopen helpers shared by the peers.
#include "bench/library.h"

#include <link.h>

#include <filesystem>

namespace gibbs::bench {

Library open_library(std::initializer_list<const char*> paths, int flags) {
  std::string failures;
  for (const char* path : paths) {
    if (void* handle = dlopen(path, flags)) return Library(handle);
    const char* why = dlerror();
    failures += (failures.empty() ? "" : "; ") + std::string(why != nullptr ? why : path);
  }
  throw PeerError(failures);
}

std::string library_path(void* handle) {
  link_map* map = nullptr;
  if (dlinfo(handle, RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_name == nullptr) return "?";
  std::error_code error;
  const auto real = std::filesystem::canonical(map->l_name, error);
  return error ? std::string(map->l_name) : real.string();
}

}  // namespace gibbs::bench
