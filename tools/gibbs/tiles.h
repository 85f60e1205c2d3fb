// The picture shape of a sample, for the commands that draw samples as tiles.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <utility>

#include "tools/gibbs/command.h"
import gibbs.core;
import gibbs.io;

namespace gibbs::cli {

// --tile-shape HxW, by default "" (the dataset's sample_shape), for tile_shape().
Option tile_shape_option();

// The picture shape of one sample: "HxW" when given, else the dataset's sample_shape (2-D as it
// is, 1-D as a square when it is one, else one row).
std::pair<std::size_t, std::size_t> tile_shape(const std::string& given, const io::DatasetInfo& info,
                                               std::size_t values);
// "28x28" → {28, 28}; anything else is an ArgumentError.
std::pair<std::size_t, std::size_t> parse_tile_shape(const std::string& text);

// A PNG of samples (values in [0, 1]), grid row i showing the rows of grid[i] left to right as
// tiles of `tile` = {height, width}, small tiles drawn bigger.
void write_sample_grid(const std::filesystem::path& png, std::span<const ConstView<float>> grid,
                       std::pair<std::size_t, std::size_t> tile);

}  // namespace gibbs::cli
