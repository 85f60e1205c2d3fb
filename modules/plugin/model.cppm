// gibbs.plugin:model — the C++ interface every model plugin implements, and the factory
// functions a plugin puts in its descriptor so that no exception crosses the C edge.
module;
#include <cstddef>
#include <cstdio>
#include <exception>
#include <string>
export module gibbs.plugin:model;

export namespace gibbs {

// A model made by a plugin. The training driver's needs arrive with the first real model.
class Model {
 public:
  virtual ~Model() = default;
  virtual std::string name() const = 0;  // the plugin's name, e.g. "rbm"
};

// The descriptor's create_model for a model type M (default-constructible, derived from
// Model): a new M as a Model* in a void*, or nullptr with the exception's message in error.
template <class M>
void* plugin_create(char* error, std::size_t error_size) noexcept {
  // Copied inside the handler: the exception and its what() end with it.
  const auto fail = [&](const char* message) {
    if (error != nullptr && error_size > 0) std::snprintf(error, error_size, "%s", message);
  };
  try {
    return static_cast<void*>(static_cast<Model*>(new M()));
  } catch (const std::exception& e) {
    fail(e.what());
  } catch (...) {
    fail("unknown exception");
  }
  return nullptr;
}

// The descriptor's destroy_model: deletes what plugin_create made (nullptr: nothing).
inline void plugin_destroy(void* model) noexcept { delete static_cast<Model*>(model); }

}  // namespace gibbs
