// gibbs.io:hdf5 — a thin RAII layer over the HDF5 C API: files, groups, datasets, attributes.
// Every call is checked; a failure throws Hdf5Error naming the file and carrying HDF5's own
// error stack. <hdf5.h> stays in hdf5.cpp: the types here speak plain integers.
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>
export module gibbs.io:hdf5;
import gibbs.core;

export namespace gibbs::io::h5 {

// A failed HDF5 call. what() is one line ("<file>: <context>: <innermost HDF5 message>");
// stack() holds every record of HDF5's error stack, outermost first.
class Hdf5Error : public IoError {
 public:
  Hdf5Error(const std::string& message, std::vector<std::string> stack);
  const std::vector<std::string>& stack() const { return stack_; }

 private:
  std::vector<std::string> stack_;
};

// Element types gibbs stores; `other` is anything else a foreign file may hold.
enum class Type { uint8, int32, int64, uint64, float32, float64, string, other };
std::string to_string(Type type);

template <class T>
constexpr Type type_of() {
  if constexpr (std::is_same_v<T, std::uint8_t>)
    return Type::uint8;
  else if constexpr (std::is_same_v<T, std::int32_t>)
    return Type::int32;
  else if constexpr (std::is_same_v<T, std::int64_t>)
    return Type::int64;
  else if constexpr (std::is_same_v<T, std::uint64_t>)
    return Type::uint64;
  else if constexpr (std::is_same_v<T, float>)
    return Type::float32;
  else if constexpr (std::is_same_v<T, double>)
    return Type::float64;
  else
    static_assert(sizeof(T) == 0, "no HDF5 type for this element type");
}

using Dims = std::vector<std::uint64_t>;

// An owned HDF5 identifier (hid_t); the destructor closes it and never throws.
class Handle {
 public:
  Handle() = default;
  explicit Handle(std::int64_t id) : id_(id) {}
  Handle(Handle&& other) noexcept : id_(other.release()) {}
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  std::int64_t id() const { return id_; }
  bool valid() const { return id_ >= 0; }
  std::int64_t release() noexcept;
  void reset() noexcept;

 private:
  std::int64_t id_ = -1;
};

// Shape and element type of a dataset or an attribute.
struct Layout {
  Type type = Type::other;
  Dims dims;                       // empty for a scalar
  std::uint64_t elements() const;  // 2^64 − 1 when the dimensions multiply past it
};

// A group or dataset: both carry attributes.
class Object {
 public:
  std::int64_t id() const { return handle_.id(); }
  std::string file_name() const;  // the file this object lives in
  std::string name() const;       // its path inside the file, e.g. "/train/x"
  // Where the object is stored (file and address): equal for two links to one object, so that a
  // walk can visit each object once.
  std::string address() const;

  bool has_attribute(const std::string& name) const;
  std::vector<std::string> attribute_names() const;
  Layout attribute_layout(const std::string& name) const;

  // Attributes overwrite one of the same name. Strings are variable-length UTF-8.
  void set_attribute(const std::string& name, const std::string& value);
  void set_attribute(const std::string& name, const char* value) { set_attribute(name, std::string(value)); }
  void set_attribute(const std::string& name, std::span<const std::string> values);
  template <class T>
  void set_attribute(const std::string& name, T value) {
    write_attribute(name, type_of<T>(), {}, &value);
  }
  template <class T>
  void set_attribute(const std::string& name, std::span<const T> values) {
    write_attribute(name, type_of<T>(), {values.size()}, values.data());
  }

  // Readers check the stored class (string, integer, float) and convert within it; a
  // mismatch or a missing attribute is a FormatError naming the file, object and attribute.
  std::string string_attribute(const std::string& name) const;
  std::vector<std::string> strings_attribute(const std::string& name) const;  // scalar or 1-D
  std::int64_t int_attribute(const std::string& name) const;
  std::uint64_t uint_attribute(const std::string& name) const;
  double double_attribute(const std::string& name) const;
  std::vector<std::int64_t> ints_attribute(const std::string& name) const;  // scalar or 1-D
  std::vector<double> doubles_attribute(const std::string& name) const;

 protected:
  Object() = default;
  explicit Object(Handle handle) : handle_(std::move(handle)) {}
  void write_attribute(const std::string& name, Type type, const Dims& dims, const void* data);
  void read_attribute(const std::string& name, Type type, std::uint64_t count, void* out) const;

  Handle handle_;
};

struct DatasetOptions {
  Dims chunk;           // empty: chosen for about 64 KiB per chunk, whole trailing rows
  int deflate = 4;      // 0: no compression
  bool shuffle = true;  // byte shuffle before deflate
};

class Dataset : public Object {
 public:
  explicit Dataset(Handle handle) : Object(std::move(handle)) {}
  Layout layout() const;
  // Why the file cannot hold the values the dataset declares, or empty: they live in external
  // files, or the file stores fewer bytes than deflate could expand to the declared size (chunks
  // never written read as zeros: a small file can declare billions of rows).
  std::string storage_problem() const;

  // Whole-dataset transfer, converting to or from T.
  template <class T>
  void write(std::span<const T> values) {
    write_raw(type_of<T>(), values.size(), values.data());
  }
  template <class T>
  void read(std::span<T> out) const {
    read_raw(type_of<T>(), out.size(), out.data());
  }
  // The rows (first index) listed in `sorted_rows`, strictly increasing, into `out`, which holds
  // sorted_rows.size() rows; only those rows are read from the file.
  template <class T>
  void read_rows(std::span<const std::uint64_t> sorted_rows, std::span<T> out) const {
    read_rows_raw(type_of<T>(), sorted_rows, out.size(), out.data());
  }
  // The rows [first, first + count).
  template <class T>
  void read_range(std::uint64_t first, std::uint64_t count, std::span<T> out) const {
    read_range_raw(type_of<T>(), first, count, out.size(), out.data());
  }

 private:
  void write_raw(Type type, std::size_t count, const void* data);
  void read_raw(Type type, std::size_t count, void* out) const;
  void read_rows_raw(Type type, std::span<const std::uint64_t> rows, std::size_t count, void* out) const;
  void read_range_raw(Type type, std::uint64_t first, std::uint64_t rows, std::size_t count, void* out) const;
};

class Group : public Object {
 public:
  explicit Group(Handle handle) : Object(std::move(handle)) {}

  bool has(const std::string& path) const;  // a link of that name exists (relative path)
  bool has_group(const std::string& path) const;
  bool has_dataset(const std::string& path) const;
  std::vector<std::string> children() const;  // link names, in name order

  Group create_group(const std::string& name);
  Group open_group(const std::string& path) const;  // FormatError when absent or not a group
  Dataset create_dataset(const std::string& name, Type type, const Dims& dims, const DatasetOptions& options = {});
  Dataset open_dataset(const std::string& path) const;  // FormatError when absent or not a dataset

  template <class T>
  Dataset write_dataset(const std::string& name, std::span<const T> values, const Dims& dims,
                        const DatasetOptions& options = {}) {
    Dataset d = create_dataset(name, type_of<T>(), dims, options);
    d.template write<T>(values);
    return d;
  }
};

// From now on (the CLI calls it first), File::open reads a file first in a child process that
// walks every object, attribute and value: libhdf5 crashing or spinning on a damaged file then
// ends the child, and open() a FormatError "<file>: libhdf5 crashed reading it (...): the file is
// damaged" (or "did not finish reading it within N s": 30 s and 1 s per 20 MB). A file already
// read so (same inode, size and time) is not read again. Test hook: GIBBS_TEST_HDF5_CHILD=crash or
// hang makes the child do that; GIBBS_TEST_HDF5_CHILD_SECONDS replaces the time allowed.
void check_untrusted_files();
// The child check, done now. The child first runs `rehearse`, which should read the file the way
// the caller is about to (libhdf5 takes other paths for other selections), with the check off and
// its errors ignored, and return the datasets whose values it read whole ("train/x"); the walk then
// reads every object, attribute and value but those datasets' values, read once is enough (a
// decompression of MNIST's images fewer). A no-op unless check_untrusted_files() was called.
using Rehearsal = std::function<std::vector<std::string>()>;
void preflight(const std::filesystem::path& path, const Rehearsal& rehearse = {});

class File {
 public:
  // A new file, replacing any file of that name.
  static File create(const std::filesystem::path& path);
  // An existing file, read-only or read-write. A missing file is an IoError; a file that is
  // not HDF5 is a FormatError ("<file>: not an HDF5 file").
  static File open(const std::filesystem::path& path, bool writable = false);

  Group root() const;
  const std::filesystem::path& path() const { return path_; }
  void flush();
  void close();  // closes now, reporting errors (the destructor swallows them)

 private:
  File(Handle handle, std::filesystem::path path) : handle_(std::move(handle)), path_(std::move(path)) {}
  Handle handle_;
  std::filesystem::path path_;
};

}  // namespace gibbs::io::h5
