// gibbs.io:dataset — the `gibbs-dataset` HDF5 file: splits /<split>/x ([N, D] uint8 with a
// `scale` attribute, or float32; chunked, compressed), optional /<split>/y ([N] int32 class
// indices) and optional /<split>/t ([N] float32 regression targets), with root attributes format, format_version,
// source, sample_shape and classes.
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>
export module gibbs.io:dataset;
import gibbs.core;
import :hdf5;
import :atomic;

export namespace gibbs::io {

inline constexpr const char* kDatasetFormat = "gibbs-dataset";
inline constexpr std::int64_t kDatasetFormatVersion = 1;

enum class Encoding { uint8, float32 };

struct DatasetInfo {
  std::string source;                     // where the data came from, free text
  std::vector<std::size_t> sample_shape;  // e.g. {28, 28}; its product is the row length
  std::vector<std::string> classes;       // label names; labels lie in [0, classes.size())
};

struct SplitInfo {
  std::string name;
  std::size_t rows = 0;
  std::size_t cols = 0;
  Encoding encoding = Encoding::float32;
  float scale = 1.0f;  // uint8 values mean value * scale
  bool labelled = false;
  bool has_targets = false;  // a float32 /<split>/t
};

// Rows of one split as the engine uses them: float features, and labels and regression targets
// when the split has them.
struct Batch {
  Matrix<float> x;
  std::vector<std::int32_t> y;
  std::vector<float> t;
};

// Writes a dataset file atomically: everything goes to a temporary file that commit() renames
// into place; destroyed without commit(), it leaves nothing behind. Values are checked as they
// are added (row length, label and target counts, label range, finite floats): an ArgumentError
// otherwise. Targets t are optional float32 values, one per row (regression data).
class DatasetWriter {
 public:
  DatasetWriter(std::filesystem::path path, DatasetInfo info);
  void add_split(const std::string& name, ConstView<std::uint8_t> x, float scale, std::span<const std::int32_t> y = {},
                 std::span<const float> t = {});
  void add_split(const std::string& name, ConstView<float> x, std::span<const std::int32_t> y = {},
                 std::span<const float> t = {});
  void commit();  // needs a "train" split

 private:
  void check_split(const std::string& name, Shape shape, std::span<const std::int32_t> y,
                   std::span<const float> t) const;
  void write_labels(h5::Group& group, std::span<const std::int32_t> y, std::span<const float> t);

  std::filesystem::path path_;
  DatasetInfo info_;
  std::unique_ptr<AtomicFile> atomic_;  // declared before file_: the file closes first
  std::unique_ptr<h5::File> file_;
  std::vector<std::string> splits_;
};

// Reads a dataset file without loading it: the constructor checks the structure (format,
// version, shapes, types, attributes); reads fetch only the rows asked for and check their
// values (finite, labels in range). Every problem is a FormatError "<file>: <problem>".
class DatasetReader {
 public:
  explicit DatasetReader(const std::filesystem::path& path);

  const std::filesystem::path& path() const { return path_; }
  const DatasetInfo& info() const { return info_; }
  std::int64_t format_version() const { return version_; }
  const std::vector<SplitInfo>& splits() const { return splits_; }  // "train" first
  bool has_split(const std::string& name) const;
  const SplitInfo& split(const std::string& name) const;  // ArgumentError when absent

  // The listed rows, in the order listed (repeats allowed), x scaled to float.
  Batch read(const std::string& split, std::span<const std::size_t> rows) const;
  Batch read_range(const std::string& split, std::size_t first, std::size_t count) const;
  // The stored bytes of the listed rows of a uint8 split, in the order listed.
  Matrix<std::uint8_t> read_uint8(const std::string& split, std::span<const std::size_t> rows) const;
  std::vector<std::int32_t> labels(const std::string& split) const;  // all of them; empty if unlabelled
  std::vector<float> targets(const std::string& split) const;        // all of them; empty if none
  // Reads every row of every split in each way the commands do (ranges, rows out of order and
  // repeated, the stored bytes, labels, targets), throwing what those reads throw; returns the
  // datasets so read whole ("train/x", "train/y", ...).
  std::vector<std::string> read_every_way() const;

 private:
  const SplitInfo& checked_split(const std::string& name) const;
  SplitInfo read_split_info(const h5::Group& root, const std::string& name) const;
  void check_values(const SplitInfo& split, std::span<const float> x, std::span<const std::int32_t> y,
                    std::span<const float> t, std::span<const std::size_t> rows) const;

  std::filesystem::path path_;
  std::unique_ptr<h5::File> file_;
  DatasetInfo info_;
  std::int64_t version_ = 0;
  std::vector<SplitInfo> splits_;
};

}  // namespace gibbs::io
