// gibbs.core:shared_library — a shared library opened with dlopen and closed with its object:
// the plugin loader's and the benchmarks' peers' one wrapper.
module;
#include <initializer_list>
#include <memory>
#include <string>
export module gibbs.core:shared_library;
import :error;

export namespace gibbs {

// A library that could not be opened (the message is dlerror's), or a symbol it lacks.
class LibraryError : public Error {
 public:
  using Error::Error;
};

class SharedLibrary {
 public:
  enum class Mode {
    load,            // RTLD_NOW | RTLD_LOCAL
    already_loaded,  // RTLD_NOW | RTLD_NOLOAD: only a library the process has loaded already
  };

  SharedLibrary() = default;
  // dlopen(name): a name without '/' is searched for as dlopen does (LD_LIBRARY_PATH, the system folders).
  static SharedLibrary open(const std::string& name, Mode mode = Mode::load);
  // The first of `names` that opens; otherwise a LibraryError with every failure, joined by "; ".
  static SharedLibrary open_first(std::initializer_list<const char*> names, Mode mode = Mode::load);

  explicit operator bool() const { return handle_ != nullptr; }
  // The symbol's address; nullptr when the library has none.
  void* find(const char* symbol) const;
  // The symbol as an F (a function pointer type); LibraryError when the library has none.
  template <class F>
  F function(const char* symbol) const {
    return reinterpret_cast<F>(require(symbol));
  }
  // The file the library was loaded from: its real path when that can be found, else "?".
  std::string path() const;

 private:
  struct Closer {
    void operator()(void* handle) const noexcept;
  };
  void* require(const char* symbol) const;

  std::unique_ptr<void, Closer> handle_;
  std::string name_;  // as opened
};

}  // namespace gibbs
