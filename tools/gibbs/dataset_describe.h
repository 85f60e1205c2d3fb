// Describing a gibbs dataset file (splits, shapes, dtype, value range, label histogram), as
// text or one JSON object: the output of `gibbs data info` and of `gibbs inspect` on a dataset.
#pragma once

#include <filesystem>

namespace gibbs::cli {

// Reads and checks every value; any problem is a FormatError naming the file.
void describe_dataset(const std::filesystem::path& file, bool json);

}  // namespace gibbs::cli
