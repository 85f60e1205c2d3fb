// SharedLibrary over <dlfcn.h>, which stays in this file.
module;
#include <dlfcn.h>
#include <link.h>

#include <filesystem>
#include <initializer_list>
#include <string>
#include <system_error>
module gibbs.core;

namespace gibbs {

void SharedLibrary::Closer::operator()(void* handle) const noexcept {
  if (handle != nullptr) dlclose(handle);
}

SharedLibrary SharedLibrary::open(const std::string& name, Mode mode) {
  SharedLibrary library;
  library.handle_.reset(dlopen(name.c_str(), mode == Mode::load ? RTLD_NOW | RTLD_LOCAL : RTLD_NOW | RTLD_NOLOAD));
  if (!library.handle_) {
    const char* why = dlerror();
    throw LibraryError(why != nullptr ? why : name + ": cannot be opened");
  }
  library.name_ = name;
  return library;
}

SharedLibrary SharedLibrary::open_first(std::initializer_list<const char*> names, Mode mode) {
  std::string failures;
  for (const char* name : names) {
    try {
      return open(name, mode);
    } catch (const LibraryError& e) {
      failures += (failures.empty() ? "" : "; ") + std::string(e.what());
    }
  }
  throw LibraryError(failures);
}

void* SharedLibrary::find(const char* symbol) const {
  if (!handle_) return nullptr;
  dlerror();
  return dlsym(handle_.get(), symbol);
}

void* SharedLibrary::require(const char* symbol) const {
  void* address = find(symbol);
  if (address == nullptr) throw LibraryError(name_ + ": symbol " + symbol + " not found");
  return address;
}

std::string SharedLibrary::path() const {
  link_map* map = nullptr;
  if (!handle_ || dlinfo(handle_.get(), RTLD_DI_LINKMAP, &map) != 0 || map == nullptr || map->l_name == nullptr)
    return "?";
  std::error_code error;
  const auto real = std::filesystem::canonical(map->l_name, error);
  return error ? std::string(map->l_name) : real.string();
}

}  // namespace gibbs
