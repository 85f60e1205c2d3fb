// A dlopen handle held in a unique_ptr with a dlclose deleter, and checked symbol lookup.
#pragma once

#include <dlfcn.h>

#include <initializer_list>
#include <memory>
#include <string>

#include "bench/peers.h"

namespace gibbs::bench {

struct Dlclose {
  void operator()(void* handle) const { dlclose(handle); }
};
using Library = std::unique_ptr<void, Dlclose>;

// The first of `paths` that dlopen accepts; PeerError listing every failure otherwise.
Library open_library(std::initializer_list<const char*> paths, int flags = RTLD_NOW | RTLD_LOCAL);

// The file the library was loaded from (its real path, if it can be found).
std::string library_path(void* handle);

template <class F>
F symbol(void* handle, const char* name) {
  dlerror();
  void* p = dlsym(handle, name);
  if (p == nullptr) throw PeerError(std::string("symbol ") + name + " not found");
  return reinterpret_cast<F>(p);
}

}  // namespace gibbs::bench
