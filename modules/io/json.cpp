// gibbs.io:text — the strict `{"data": [numbers]}` JSON parser (RFC 8259 number grammar).
module;
#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>
module gibbs.io;
import gibbs.core;

namespace gibbs::io {
namespace {

class Cursor {
 public:
  Cursor(std::string_view text, const std::string& file) : text_(text), file_(file) {}

  // Line and column are counted only when an error needs them.
  [[noreturn]] void fail(const std::string& problem) const {
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n')
        ++line, column = 1;
      else
        ++column;
    }
    throw FormatError(file_, fmt::format("line {}, column {}: {}", line, column, problem));
  }
  std::string found() const {
    if (pos_ >= text_.size()) return "the end of the file";
    const unsigned char c = static_cast<unsigned char>(text_[pos_]);
    return c >= 0x20 && c < 0x7f ? fmt::format("'{}'", static_cast<char>(c)) : fmt::format("byte 0x{:02x}", c);
  }
  void skip_space() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r'))
      ++pos_;
  }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  void expect(char c, std::string_view where) {
    skip_space();
    if (!peek(c)) fail(fmt::format("expected '{}' {}, found {}", c, where, found()));
    ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  std::size_t position() const { return pos_; }
  void seek(std::size_t pos) { pos_ = pos; }

  std::string key() {
    skip_space();
    if (!peek('"')) fail(fmt::format("expected a key string, found {}", found()));
    const std::size_t start = ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\') fail("escape sequences in keys are not supported");
      if (static_cast<unsigned char>(text_[pos_]) < 0x20) fail("control character inside a string");
      ++pos_;
    }
    if (at_end()) fail("unterminated string");
    return std::string(text_.substr(start, pos_++ - start));
  }

  float number() {
    skip_space();
    const std::size_t start = pos_;
    const auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (peek('-')) ++pos_;
    if (peek('0'))
      ++pos_;
    else if (digits() == 0) {
      if (pos_ == start) fail(fmt::format("expected a number, found {}", found()));
      fail(fmt::format("expected a digit, found {}", found()));
    }
    if (peek('.')) {
      ++pos_;
      if (digits() == 0) fail(fmt::format("expected a digit after '.', found {}", found()));
    }
    if (peek('e') || peek('E')) {
      ++pos_;
      if (peek('+') || peek('-')) ++pos_;
      if (digits() == 0) fail(fmt::format("expected a digit in the exponent, found {}", found()));
    }
    const std::string_view token = text_.substr(start, pos_ - start);
    double value = 0;
    const auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
    const auto back = [&] { pos_ = start; };
    if (ec == std::errc::result_out_of_range && std::abs(std::strtod(std::string(token).c_str(), nullptr)) < 1)
      return 0.0f;  // underflow: from_chars leaves value alone, strtod gives the tiny number
    if (ec != std::errc() || end != token.data() + token.size() || !std::isfinite(static_cast<float>(value))) {
      back();
      fail(fmt::format("number {} is out of range for float32", token));
    }
    return static_cast<float>(value);
  }

 private:
  std::string_view text_;
  const std::string& file_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string read_text_file(const std::filesystem::path& path) {
  struct stat s{};
  if (::stat(path.c_str(), &s) != 0)
    throw IoError(path.string(), errno == ENOENT ? std::string("no such file") : std::strerror(errno));
  if (S_ISDIR(s.st_mode)) throw IoError(path.string(), "is a directory, not a file");
  if (!S_ISREG(s.st_mode))
    throw IoError(path.string(), fmt::format("is {}, not a regular file", file_type_name(s.st_mode)));
  if (static_cast<std::uintmax_t>(s.st_size) > memory_available())
    throw IoError(path.string(), fmt::format("holds {:.3g} GiB, more memory than gibbs may use (--memory-limit)",
                                             static_cast<double>(s.st_size) / (1 << 30)));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(path.string(), std::string("cannot open: ") + std::strerror(errno));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw IoError(path.string(), "read error");
  record_input(path);
  return text;
}

std::vector<float> parse_json_data_array(std::string_view text, const std::string& file) {
  Cursor in(text, file);
  in.expect('{', "at the start of the file");
  in.skip_space();
  if (in.peek('}')) in.fail("the object has no \"data\" member");
  const std::size_t key_at = in.position();
  const std::string key = in.key();
  if (key != "data") in.seek(key_at), in.fail(fmt::format("unexpected key \"{}\" (expected \"data\")", key));
  in.expect(':', "after the key");
  in.expect('[', "to open the \"data\" array");
  std::vector<float> values;
  in.skip_space();
  if (in.peek(']')) {
    in.expect(']', "");
  } else {
    while (true) {
      values.push_back(in.number());
      in.skip_space();
      if (in.peek(']')) break;
      in.expect(',', "or ']' in the array");
    }
    in.expect(']', "");
  }
  in.skip_space();
  if (in.peek(',')) in.fail("unexpected second member (only \"data\" is expected)");
  in.expect('}', "after the \"data\" array");
  in.skip_space();
  if (!in.at_end()) in.fail(fmt::format("unexpected {} after the object", in.found()));
  return values;
}

}  // namespace gibbs::io
