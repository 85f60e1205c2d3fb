// gibbs.io:checkpoint — save (checked, atomic) and load (checked) of checkpoint files.
module;
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <variant>
#include <vector>
module gibbs.io;
import gibbs.core;

namespace gibbs::io {
namespace {

std::size_t elements(const std::vector<std::size_t>& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

void check_name(const std::string& what, const std::string& name, bool nested) {
  const bool bad = name.empty() || name.starts_with('/') || name.ends_with('/') ||
                   name.find("//") != std::string::npos || (!nested && name.find('/') != std::string::npos);
  if (bad) throw ArgumentError(fmt::format("checkpoint: {} name '{}' is not valid", what, name));
}

void check_tensor(const std::string& name, const Tensor& t) {
  if (t.values.size() != elements(t.shape))
    throw ArgumentError(fmt::format("checkpoint: tensor {} has {} values for shape [{}]", name, t.values.size(),
                                    fmt::join(t.shape, ", ")));
  for (std::size_t i = 0; i < t.values.size(); ++i)
    if (!std::isfinite(t.values[i]))
      throw ArgumentError(fmt::format("checkpoint: tensor {} holds a non-finite value at {}", name, i));
}

// The group at `path` below `root`, creating what is missing.
h5::Group ensure_group(h5::Group& root, const std::string& path) {
  std::size_t end = 0;
  while ((end = path.find('/', end + 1)) != std::string::npos)
    if (!root.has_group(path.substr(0, end))) root.create_group(path.substr(0, end));
  return root.has_group(path) ? root.open_group(path) : root.create_group(path);
}

void write_tensor(h5::Group& root, const std::string& path, const Tensor& t) {
  const auto slash = path.rfind('/');
  h5::Group parent = ensure_group(root, path.substr(0, slash));
  parent.write_dataset<float>(path.substr(slash + 1), t.values, h5::Dims(t.shape.begin(), t.shape.end()));
}

// The values a dataset claims are allocated before they are read, so a small file can ask for any
// amount ([2^20, 2^20] fill values): refused, as a Matrix would be, when the memory budget has
// no room for them.
void expect_room(const std::string& file, const h5::Dataset& d, std::uint64_t elements, std::size_t element_size) {
  const bool fits =
      elements <= std::numeric_limits<std::size_t>::max() / element_size && reserve_memory(elements * element_size);
  if (!fits)
    throw FormatError(file, fmt::format("{} claims {} values, more memory than gibbs may use: {} of {} bytes in use "
                                        "(--memory-limit)",
                                        d.name(), elements, memory_in_use(), memory_budget()));
  release_memory(elements * element_size);
}

Tensor read_tensor(const std::string& file, const h5::Dataset& d) {
  const h5::Layout l = d.layout();
  if (l.type != h5::Type::float32)
    throw FormatError(file, fmt::format("{} is {}, expected float32", d.name(), h5::to_string(l.type)));
  if (const std::string problem = d.storage_problem(); !problem.empty())
    throw FormatError(file, fmt::format("{} {}", d.name(), problem));
  expect_room(file, d, l.elements(), sizeof(float));
  Tensor t{std::vector<std::size_t>(l.dims.begin(), l.dims.end()), std::vector<float>(l.elements())};
  d.read<float>(t.values);
  for (std::size_t i = 0; i < t.values.size(); ++i)
    if (!std::isfinite(t.values[i]))
      throw FormatError(file, fmt::format("{} holds a non-finite value ({}) at index {}", d.name(), t.values[i], i));
  return t;
}

// Each object of a checkpoint is read once, by its address: a link back to a group above it (a
// cycle, which would recurse without end) or a second link to an object already read (which
// could multiply what is read) is a FormatError naming both paths. gibbs never writes either.
class Visited {
 public:
  explicit Visited(std::string file) : file_(std::move(file)) {}
  void visit(const h5::Object& object, const std::string& path) {
    const auto [first, fresh] = seen_.emplace(object.address(), path);
    if (fresh) return;
    const std::string& earlier = first->second;
    if (earlier == "/" || path.starts_with(earlier + "/"))
      throw FormatError(file_, fmt::format("{} links back to {}", path, earlier));
    throw FormatError(file_, fmt::format("{} is a second link to {}", path, earlier));
  }
  template <class T>
  T visited(T object, const std::string& path) {
    visit(object, path);
    return object;
  }

 private:
  std::string file_;
  std::map<std::string, std::string> seen_;  // address → the path it was first reached by
};

// Every dataset below `group` (at `path`) into state (path relative to /state), every attribute
// into counters.
void read_state(const std::string& file, const h5::Group& group, const std::string& path, const std::string& prefix,
                Checkpoint& c, Visited& visited) {
  for (const std::string& name : group.attribute_names()) c.counters[prefix + name] = group.uint_attribute(name);
  for (const std::string& name : group.children()) {
    const std::string child = path + "/" + name;
    if (group.has_group(name))
      read_state(file, visited.visited(group.open_group(name), child), child, prefix + name + "/", c, visited);
    else if (group.has_dataset(name))
      c.state[prefix + name] = read_tensor(file, visited.visited(group.open_dataset(name), child));
  }
}

}  // namespace

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

void save_checkpoint(const Checkpoint& c, const std::filesystem::path& path) {
  for (const auto& [name, t] : c.params) check_name("parameter", name, false), check_tensor("/params/" + name, t);
  for (const auto& [name, t] : c.state) check_name("state", name, true), check_tensor("/state/" + name, t);
  for (const auto& [name, v] : c.counters) {
    check_name("counter", name, true);
    if (name.find('/') == std::string::npos)
      throw ArgumentError(fmt::format("checkpoint: counter '{}' needs a group, e.g. rng/{}", name, name));
  }
  for (const auto& [name, v] : c.history) check_name("history", name, false);
  for (const auto& [name, v] : c.config) check_name("config", name, false);

  AtomicFile atomic(path);
  {
    h5::File file = h5::File::create(atomic.temporary());
    h5::Group root = file.root();
    root.set_attribute("format", kCheckpointFormat);
    root.set_attribute("format_version", kCheckpointFormatVersion);
    root.set_attribute("model", c.model);
    root.set_attribute("plugin_version", c.plugin_version);
    root.set_attribute("engine_version", c.engine_version.empty() ? std::string(GIBBS_VERSION) : c.engine_version);
    if (!c.simd_target.empty()) root.set_attribute("simd_target", c.simd_target);
    root.set_attribute("created", c.created.empty() ? utc_now() : c.created);
    root.set_attribute("seed", c.seed);
    h5::Group config = root.create_group("config");
    for (const auto& [name, value] : c.config)
      std::visit([&, &name = name](const auto& v) { config.set_attribute(name, v); }, value);
    root.create_group("params");
    for (const auto& [name, t] : c.params) write_tensor(root, "params/" + name, t);
    root.create_group("state");
    for (const auto& [name, t] : c.state) write_tensor(root, "state/" + name, t);
    for (const auto& [name, v] : c.counters) {
      const auto slash = name.rfind('/');
      ensure_group(root, "state/" + name.substr(0, slash)).set_attribute(name.substr(slash + 1), v);
    }
    h5::Group history = root.create_group("history");
    for (const auto& [name, v] : c.history) history.write_dataset<double>(name, v, {v.size()});
    file.flush();
    file.close();
  }
  atomic.commit();
}

Checkpoint load_checkpoint(const std::filesystem::path& path) {
  const std::string file = path.string();
  h5::preflight(path, [&path] {
    load_checkpoint(path);
    return std::vector<std::string>{};  // a checkpoint's values are few: the walk reads them again
  });
  const h5::File f = h5::File::open(path);
  Visited visited(file);
  const h5::Group root = visited.visited(f.root(), "/");
  if (!root.has_attribute("format")) throw FormatError(file, "not a gibbs checkpoint (no 'format' attribute)");
  const std::string format = root.string_attribute("format");
  if (format != kCheckpointFormat) throw FormatError(file, fmt::format("not a gibbs checkpoint (format '{}')", format));
  const std::int64_t version = root.int_attribute("format_version");
  if (version > kCheckpointFormatVersion)
    throw FormatError(
        file, fmt::format("format_version {} is newer than this gibbs reads ({})", version, kCheckpointFormatVersion));
  if (version < 1) throw FormatError(file, fmt::format("format_version {} is not valid", version));

  Checkpoint c;
  c.model = root.string_attribute("model");
  c.plugin_version = root.string_attribute("plugin_version");
  c.engine_version = root.string_attribute("engine_version");
  if (root.has_attribute("simd_target")) c.simd_target = root.string_attribute("simd_target");
  c.created = root.string_attribute("created");
  c.seed = root.uint_attribute("seed");
  const h5::Group config = visited.visited(root.open_group("config"), "/config");
  for (const std::string& name : config.attribute_names()) {
    const h5::Type type = config.attribute_layout(name).type;
    if (type == h5::Type::string)
      c.config[name] = config.string_attribute(name);
    else if (type == h5::Type::float32 || type == h5::Type::float64)
      c.config[name] = config.double_attribute(name);
    else
      c.config[name] = config.int_attribute(name);  // FormatError unless an integer
  }
  const h5::Group params = visited.visited(root.open_group("params"), "/params");
  for (const std::string& name : params.children())
    c.params[name] = read_tensor(file, visited.visited(params.open_dataset(name), "/params/" + name));
  read_state(file, visited.visited(root.open_group("state"), "/state"), "/state", "", c, visited);
  const h5::Group history = visited.visited(root.open_group("history"), "/history");
  for (const std::string& name : history.children()) {
    const h5::Dataset d = visited.visited(history.open_dataset(name), "/history/" + name);
    const h5::Layout l = d.layout();
    if (l.dims.size() != 1 || (l.type != h5::Type::float64 && l.type != h5::Type::float32))
      throw FormatError(file, fmt::format("{} is not a 1-D series of numbers", d.name()));
    expect_room(file, d, l.elements(), sizeof(double));
    std::vector<double> values(l.elements());
    d.read<double>(values);
    c.history[name] = std::move(values);
  }
  return c;
}

Tensor to_tensor(ConstView<float> m) {
  Tensor t{{m.rows(), m.cols()}, {}};
  t.values.reserve(m.rows() * m.cols());
  for (std::size_t r = 0; r < m.rows(); ++r) t.values.insert(t.values.end(), m.row(r).begin(), m.row(r).end());
  return t;
}

Tensor to_tensor(std::span<const float> v) { return {{v.size()}, {v.begin(), v.end()}}; }

const Tensor& find_tensor(const std::map<std::string, Tensor>& tensors, const std::string& group,
                          const std::string& name, const std::vector<std::size_t>& shape) {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw ArgumentError(fmt::format("the checkpoint has no /{}/{}", group, name));
  if (it->second.shape != shape)
    throw ArgumentError(fmt::format("the checkpoint's /{}/{} has the shape [{}], expected [{}]", group, name,
                                    fmt::join(it->second.shape, ", "), fmt::join(shape, ", ")));
  return it->second;
}

void copy_into(const Tensor& t, MatrixView<float> m) {
  for (std::size_t r = 0; r < m.rows(); ++r) std::copy_n(t.values.data() + r * m.cols(), m.cols(), m.row(r).data());
}

void copy_into(const Tensor& t, std::span<float> v) { std::copy_n(t.values.begin(), v.size(), v.begin()); }

TensorSlot tensor_slot(std::string group, std::string name, MatrixView<float> values) {
  return {std::move(group), std::move(name), {values.rows(), values.cols()}, values};
}

TensorSlot tensor_slot(std::string group, std::string name, std::span<float> values) {
  return {std::move(group), std::move(name), {values.size()}, MatrixView<float>(values.data(), 1, values.size())};
}

namespace {
std::map<std::string, Tensor>& group_of(Checkpoint& c, const std::string& group) {
  return group == "params" ? c.params : c.state;
}
const std::map<std::string, Tensor>& group_of(const Checkpoint& c, const std::string& group) {
  return group == "params" ? c.params : c.state;
}
}  // namespace

void save_tensors(std::span<const TensorSlot> slots, Checkpoint& checkpoint) {
  checkpoint.params.clear();
  checkpoint.state.clear();
  for (const TensorSlot& s : slots) {
    Tensor t = to_tensor(ConstView<float>(s.values));
    t.shape = s.shape;
    group_of(checkpoint, s.group)[s.name] = std::move(t);
  }
}

void restore_tensors(std::span<const TensorSlot> slots, const Checkpoint& checkpoint) {
  for (const TensorSlot& s : slots) {
    const std::map<std::string, Tensor>& tensors = group_of(checkpoint, s.group);
    if (!s.required && !tensors.contains(s.name)) continue;
    copy_into(find_tensor(tensors, s.group, s.name, s.shape), s.values);
  }
}

}  // namespace gibbs::io
