// gibbs.io:text — the numeric CSV parser: every field a finite number, every row the same width.
module;
#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>
module gibbs.io;
import gibbs.core;

namespace gibbs::io {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    const std::size_t comma = line.find(',');
    out.push_back(trim(line.substr(0, comma)));
    if (comma == std::string_view::npos) return out;
    line.remove_prefix(comma + 1);
  }
}

double number(std::string_view field, const std::string& file, std::size_t line, std::size_t column) {
  const auto fail = [&](const std::string& problem) {
    throw FormatError(file, fmt::format("line {}, column {}: {}", line, column, problem));
  };
  if (field.empty()) fail("missing value");
  std::string_view digits = field;
  if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-') digits.remove_prefix(1);
  double value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec == std::errc::result_out_of_range && end == digits.data() + digits.size()) {
    // from_chars leaves value alone; strtod tells overflow (±HUGE_VAL) from underflow (tiny).
    if (std::isinf(std::strtod(std::string(digits).c_str(), nullptr))) fail(fmt::format("'{}' is out of range", field));
    return 0.0;
  }
  if (ec != std::errc() || end != digits.data() + digits.size()) fail(fmt::format("'{}' is not a number", field));
  if (!std::isfinite(value)) fail(fmt::format("'{}' is not a finite number", field));
  return value;
}

}  // namespace

CsvTable parse_csv(std::string_view text, const std::string& file, bool header) {
  CsvTable table;
  std::size_t line_number = 0;
  std::size_t width_line = 0;
  while (!text.empty()) {
    const std::size_t newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (trim(line).empty()) {
      if (text.empty()) break;  // the newline that ends the last row
      throw FormatError(file, fmt::format("line {}: empty line", line_number));
    }
    const std::vector<std::string_view> row = fields(line);
    if (width_line == 0) {
      table.cols = row.size();
      width_line = line_number;
    } else if (row.size() != table.cols) {
      throw FormatError(file, fmt::format("line {}: {} fields, expected {} (as on line {})", line_number, row.size(),
                                          table.cols, width_line));
    }
    if (header && line_number == 1) {
      table.header.assign(row.begin(), row.end());
      table.first_line = 2;
      continue;
    }
    for (std::size_t c = 0; c < row.size(); ++c) table.values.push_back(number(row[c], file, line_number, c + 1));
    ++table.rows;
  }
  if (table.rows == 0) throw FormatError(file, header ? "no data rows after the header" : "no data rows");
  return table;
}

}  // namespace gibbs::io
