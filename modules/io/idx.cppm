// gibbs.io:idx — the IDX files of MNIST and Fashion-MNIST (raw or gzipped), checked byte by
// byte, and their import into a gibbs dataset file.
module;
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>
export module gibbs.io:idx;
import gibbs.core;

export namespace gibbs::io {

inline constexpr std::uint32_t kIdxImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
inline constexpr std::uint32_t kIdxLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension

struct IdxImages {
  std::size_t height = 0;
  std::size_t width = 0;
  Matrix<std::uint8_t> pixels;  // one image per row, height * width bytes
};

// Any problem (missing file, wrong magic, truncated or over-long file, corrupt gzip stream) is
// an IoError or FormatError "<file>: <problem>", with expected and actual byte counts.
IdxImages read_idx_images(const std::filesystem::path& path);
std::vector<std::uint8_t> read_idx_labels(const std::filesystem::path& path);

struct IdxImport {
  std::filesystem::path images, labels;
  std::optional<std::filesystem::path> test_images, test_labels;
  std::vector<std::string> classes;  // empty: "0", "1", ... up to the largest label
  std::filesystem::path output;
};

// Reads and cross-checks the IDX files (counts, image sizes, labels within the classes), then
// writes a gibbs dataset (uint8, scale 1/255) atomically; on any error no output is left and
// an existing output file is untouched.
void import_idx(const IdxImport& import);

}  // namespace gibbs::io
