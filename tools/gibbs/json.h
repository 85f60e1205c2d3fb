// Small helpers for the CLI's --json output: strings escaped, numbers that JSON can hold
// (shortest round-trip form, so a reader gets the exact value back; non-finite ones as null).
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstddef>
#include <string>

#include "tools/gibbs/escape.h"

namespace gibbs::cli {

// A JSON string: quotes, backslashes and control characters escaped, bytes that are not UTF-8
// replaced by U+FFFD (JSON text is UTF-8).
inline std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    const std::size_t length = utf8_length(text, i);
    if (length == 0)
      out += "\\ufffd";
    else if (c == '"' || c == '\\')
      out += fmt::format("\\{}", c);
    else if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    else
      out.append(text, i, length);
    i += length == 0 ? 1 : length;
  }
  return out + "\"";
}

// A JSON string, or null for an empty one (a value that was not given).
inline std::string json_string_or_null(const std::string& text) { return text.empty() ? "null" : json_string(text); }

// A float or double as JSON: shortest form that reads back exactly; keeps a ".0" on whole
// numbers so a reader sees a real number; null when not finite.
template <class T>
std::string json_number(T value) {
  if (!std::isfinite(value)) return "null";
  std::string text = fmt::format("{}", value);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

}  // namespace gibbs::cli
