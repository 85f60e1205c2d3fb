// Reads a PNG back with libpng's own decoder (independent of gibbs.viz's writer): its size and
// its pixels converted to 8-bit grey or RGB.
#pragma once

#include <png.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace gibbs::test {

struct Picture {
  std::size_t width = 0, height = 0, channels = 0;
  png_byte bit_depth = 0, colour_type = 0;  // as stored in the file's header
  std::vector<std::uint8_t> pixels;         // row-major, `channels` bytes a pixel
  const std::uint8_t* at(std::size_t y, std::size_t x) const { return &pixels[(y * width + x) * channels]; }
};

// format: PNG_FORMAT_GRAY or PNG_FORMAT_RGB.
inline Picture read_png(const std::filesystem::path& path, png_uint_32 format = PNG_FORMAT_GRAY) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str()))
    throw std::runtime_error(path.string() + ": " + image.message);
  Picture p;
  std::ifstream file(path, std::ios::binary);  // IHDR: signature 8, length 4, type 4, size 8
  char header[26] = {};
  file.read(header, sizeof header);
  p.bit_depth = static_cast<png_byte>(header[24]), p.colour_type = static_cast<png_byte>(header[25]);
  image.format = format;
  p.width = image.width, p.height = image.height, p.channels = PNG_IMAGE_SAMPLE_CHANNELS(format);
  p.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, p.pixels.data(), 0, nullptr))
    throw std::runtime_error(path.string() + ": " + image.message);
  return p;
}

}  // namespace gibbs::test
