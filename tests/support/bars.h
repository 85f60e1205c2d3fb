// The RBM suites' small datasets: 4×4 pictures of one horizontal (class 0) or vertical (class 1)
// bar, 120 train and 40 test rows; 16×16 crosses, big enough for every parallel path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <utility>
#include <vector>
import gibbs.core;
import gibbs.io;

namespace gibbs::test {

inline void write_bars(const std::filesystem::path& path) {
  io::DatasetWriter writer(path, {"bars", {4, 4}, {"horizontal", "vertical"}});
  for (const auto& [split, rows] : {std::pair{"train", 120}, std::pair{"test", 40}}) {
    Matrix<float> x(static_cast<std::size_t>(rows), 16);
    std::vector<std::int32_t> y;
    for (std::size_t r = 0; r < x.rows(); ++r) {
      const std::size_t kind = r % 2, at = (r / 2) % 4;
      for (std::size_t k = 0; k < 4; ++k) x(r, kind == 0 ? at * 4 + k : k * 4 + at) = 1.0f;
      y.push_back(static_cast<std::int32_t>(kind));
    }
    writer.add_split(split, x.view(), y);
  }
  writer.commit();
}

// 16×16 pictures of a horizontal and a vertical bar (all 256 pairs): 768 train, 256 test rows.
inline void write_crosses(const std::filesystem::path& path) {
  io::DatasetWriter writer(path, {"crosses", {16, 16}, {}});
  for (const auto& [split, rows] : {std::pair{"train", 768}, std::pair{"test", 256}}) {
    Matrix<float> x(static_cast<std::size_t>(rows), 256);
    for (std::size_t r = 0; r < x.rows(); ++r)
      for (std::size_t k = 0; k < 16; ++k) x(r, (r % 16) * 16 + k) = x(r, k * 16 + (r / 16) % 16) = 1.0f;
    writer.add_split(split, x.view());
  }
  writer.commit();
}

}  // namespace gibbs::test
