// Text from files and options made safe to print: control characters and bytes that are not
// UTF-8 escaped, for a terminal (printable) and for JSON (json.h).
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace gibbs::cli {

// The length of the well-formed UTF-8 sequence at text[at] (1 for ASCII), or 0 when the bytes
// there are not one (a stray continuation byte, an overlong form, a surrogate, past U+10FFFF, cut).
inline std::size_t utf8_length(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const unsigned char lead = byte(at);
  if (lead < 0x80) return 1;
  std::size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (length == 0 || lead < 0xc2 || lead > 0xf4 || at + length > text.size()) return 0;
  for (std::size_t i = 1; i < length; ++i)
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
  const unsigned char second = byte(at + 1);
  if ((lead == 0xe0 && second < 0xa0) || (lead == 0xed && second >= 0xa0) || (lead == 0xf0 && second < 0x90) ||
      (lead == 0xf4 && second >= 0x90))
    return 0;
  return length;
}

// The code point of the well-formed sequence of `length` bytes at text[at].
inline char32_t code_point(std::string_view text, std::size_t at, std::size_t length) {
  const auto byte = [&](std::size_t i) { return static_cast<char32_t>(static_cast<unsigned char>(text[at + i])); };
  if (length == 1) return byte(0);
  char32_t cp = byte(0) & (0x7f >> length);
  for (std::size_t i = 1; i < length; ++i) cp = (cp << 6) | (byte(i) & 0x3f);
  return cp;
}

// C1 controls, and the marks and overrides that reorder a terminal line (a U+202E in a file name
// would print the rest of the message backwards).
inline bool reorders_or_controls(char32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069);
}

// `text` with control characters, DEL and bytes that are not UTF-8 written as \xNN, and C1
// controls and bidirectional marks and overrides as \uNNNN.
inline std::string printable(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t length = utf8_length(text, i);
    const auto c = static_cast<unsigned char>(text[i]);
    if (length == 0 || c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
    } else if (const char32_t cp = code_point(text, i, length); reorders_or_controls(cp)) {
      out += fmt::format("\\u{:04x}", static_cast<std::uint32_t>(cp));
      i += length;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace gibbs::cli
