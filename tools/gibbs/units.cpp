// parse_units: "0,1,5-9" as {0, 1, 5, 6, 7, 8, 9}.
#include "tools/gibbs/units.h"

#include <fmt/format.h>

#include <charconv>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>
import gibbs.core;

namespace gibbs::cli {

// More than any layer holds: a list past it ("0-99999999999", fuzz_clamp) would take the memory
// and the time of that many units before anything could say it is too long.
constexpr std::size_t kMostUnits = std::size_t{1} << 24;

std::vector<std::size_t> parse_units(const std::string& text, const std::string& what, std::size_t limit) {
  std::vector<std::size_t> units;
  std::string_view rest = text;
  const auto bad = [&] {
    return ArgumentError(fmt::format("{} '{}' is not a list of units such as 0,1 or 0-391", what, text));
  };
  const auto number = [](std::string_view s, std::size_t& out) {
    return !s.empty() && std::from_chars(s.data(), s.data() + s.size(), out).ptr == s.data() + s.size();
  };
  while (!rest.empty()) {
    const std::string_view part = rest.substr(0, rest.find(','));
    rest = part.size() < rest.size() ? rest.substr(part.size() + 1) : std::string_view{};
    const std::size_t dash = part.find('-');
    std::size_t first = 0, last = 0;
    if (!number(part.substr(0, dash), first)) throw bad();
    last = first;
    if (dash != std::string_view::npos && (!number(part.substr(dash + 1), last) || last < first)) throw bad();
    if (last >= limit)
      throw ArgumentError(
          fmt::format("{} '{}' names unit {}, and there are {} (0 to {})", what, text, last, limit, limit - 1));
    if (last - first >= kMostUnits - units.size())
      throw ArgumentError(fmt::format("{} '{}' lists more than {} units", what, text, kMostUnits));
    for (std::size_t u = first; u <= last; ++u) units.push_back(u);
  }
  if (units.empty()) throw bad();
  return units;
}

}  // namespace gibbs::cli
