// gibbs.viz:mosaic — write_png through libpng's simplified API into an AtomicFile.
module;
#include <png.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
module gibbs.viz;
import gibbs.core;
import gibbs.io;

namespace gibbs::viz {

void write_png(const std::filesystem::path& path, const Mosaic& mosaic) {
  if (mosaic.width() == 0 || mosaic.height() == 0) throw ArgumentError("write_png: an empty mosaic has no picture");
  io::AtomicFile file(path);
  std::FILE* out = std::fopen(file.temporary().c_str(), "wb");
  if (out == nullptr) throw IoError(path.string(), std::string("cannot write: ") + std::strerror(errno));
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(mosaic.width());
  image.height = static_cast<png_uint_32>(mosaic.height());
  image.format = PNG_FORMAT_GRAY;
  const bool written = png_image_write_to_stdio(&image, out, 0, mosaic.pixels().data(), 0, nullptr) != 0;
  const std::string problem = written ? "" : std::string("libpng: ") + image.message;
  png_image_free(&image);
  const bool flushed = std::fflush(out) == 0 && !std::ferror(out);
  const int error = errno;
  if (std::fclose(out) != 0 && written && flushed)
    throw IoError(path.string(), std::string("cannot write: ") + std::strerror(errno));
  if (!written) throw IoError(path.string(), problem);
  if (!flushed) throw IoError(path.string(), std::string("cannot write: ") + std::strerror(error));
  file.commit();
}

}  // namespace gibbs::viz
