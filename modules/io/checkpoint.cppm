// gibbs.io:checkpoint — the `gibbs-checkpoint` HDF5 file: root attributes (model, versions,
// created, seed), /config attributes, /params and /state float32 tensors, /history series.
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <variant>
#include <vector>
export module gibbs.io:checkpoint;
import gibbs.core;

export namespace gibbs::io {

inline constexpr const char* kCheckpointFormat = "gibbs-checkpoint";
inline constexpr std::int64_t kCheckpointFormatVersion = 1;

struct Tensor {
  std::vector<std::size_t> shape;  // empty: a scalar
  std::vector<float> values;       // row-major, as many as the shape holds
  friend bool operator==(const Tensor&, const Tensor&) = default;
};

using ConfigValue = std::variant<std::int64_t, double, std::string>;

// Tensors to and from the engine's matrices (models' save and restore).
Tensor to_tensor(ConstView<float> m);        // shape [rows, cols]
Tensor to_tensor(std::span<const float> v);  // shape [size]
// tensors[name], which must have `shape`, else an ArgumentError "the checkpoint has no
// /<group>/<name>" or "the checkpoint's /<group>/<name> has the shape [..], expected [..]".
const Tensor& find_tensor(const std::map<std::string, Tensor>& tensors, const std::string& group,
                          const std::string& name, const std::vector<std::size_t>& shape);
// Copies t's values (as many as the destination holds, row by row) into m or v.
void copy_into(const Tensor& t, MatrixView<float> m);
void copy_into(const Tensor& t, std::span<float> v);

struct Checkpoint;

// One tensor of a model's checkpoint: /<group>/<name> (group "params" or "state"), its shape,
// and the model's floats it is saved from and restored into. A model lists its tensors once;
// save_tensors and restore_tensors both walk that list.
struct TensorSlot {
  std::string group;
  std::string name;
  std::vector<std::size_t> shape;
  MatrixView<float> values;  // as many floats as the shape holds, row-major
  bool required = true;      // restore: an absent tensor that is not required keeps its values
};
TensorSlot tensor_slot(std::string group, std::string name, MatrixView<float> values);  // shape [rows, cols]
TensorSlot tensor_slot(std::string group, std::string name, std::span<float> values);   // shape [size]

// Replaces checkpoint.params and .state with the slots' values.
void save_tensors(std::span<const TensorSlot> slots, Checkpoint& checkpoint);
// Copies each slot's tensor into its values: an ArgumentError from find_tensor when a required
// one is absent, or when any has another shape.
void restore_tensors(std::span<const TensorSlot> slots, const Checkpoint& checkpoint);

struct Checkpoint {
  std::string model;  // the plugin's name, e.g. "rbm"
  std::string plugin_version;
  std::string engine_version;  // save: this gibbs when empty
  // The SIMD target the values were computed on ("AVX3_DL", "AVX2"): some kernels' last bits
  // depend on it. Empty in checkpoints from before gibbs recorded it; not written when empty.
  std::string simd_target;
  std::string created;  // UTC, ISO-8601 ("2026-01-31T12:00:00Z"); save: now when empty
  std::uint64_t seed = 0;
  std::map<std::string, ConfigValue> config;           // attributes of /config
  std::map<std::string, Tensor> params;                // /params/<name>
  std::map<std::string, Tensor> state;                 // /state/<path>, e.g. "optimizer/m_W"
  std::map<std::string, std::uint64_t> counters;       // "<group>/<name>": attribute of /state/<group>
  std::map<std::string, std::vector<double>> history;  // /history/<metric>, one value per epoch
};

// Writes atomically (a temporary file in the same folder, flushed, fsynced, renamed): an
// interrupted save leaves any previous checkpoint at `path` intact. Non-finite values, bad
// names or shapes that do not match the values are ArgumentErrors, and nothing is written.
void save_checkpoint(const Checkpoint& checkpoint, const std::filesystem::path& path);

// Reads and checks a checkpoint: format, format_version (not from the future), types, shapes,
// finite values. Any problem is a FormatError "<file>: <problem>".
Checkpoint load_checkpoint(const std::filesystem::path& path);

std::string utc_now();  // ISO-8601, seconds, "Z"

}  // namespace gibbs::io
