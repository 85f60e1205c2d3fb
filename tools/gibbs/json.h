// Small helpers for the CLI's --json output: strings escaped, numbers that JSON can hold
// (shortest round-trip form, so a reader gets the exact value back; non-finite ones as null).
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>

namespace gibbs::cli {

inline std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\')
      out += fmt::format("\\{}", c);
    else if (static_cast<unsigned char>(c) < 0x20)
      out += fmt::format("\\u{:04x}", static_cast<int>(c));
    else
      out += c;
  }
  return out + "\"";
}

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
