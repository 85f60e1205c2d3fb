// Lists of units or counts as a user writes them (--clamp, --flip, --threads-list): "0,1,5-9".
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace gibbs::cli {

// Visible units as a user lists them: "0,1,5-9" → {0, 1, 5, 6, 7, 8, 9}, each below `limit`;
// otherwise an ArgumentError "<what> '<text>' is not a list of units such as 0,1 or 0-391" (what:
// "sample: --clamp"), "<what> '<text>' names unit N, and there are L (0 to L − 1)", or "<what>
// '<text>' lists more than 16777216 units".
std::vector<std::size_t> parse_units(const std::string& text, const std::string& what, std::size_t limit);

}  // namespace gibbs::cli
