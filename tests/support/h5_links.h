// Extra links in an existing HDF5 file, made with the HDF5 C API as a hostile file would have
// them (issue 14): a hard link back to a group above it is a cycle; gibbs itself never writes one.
#pragma once

#include <hdf5.h>

#include <filesystem>
#include <stdexcept>
#include <string>

namespace gibbs::test {

// In `file`, a hard link (or a soft one) at `link` to the object at `target`.
inline void add_h5_link(const std::filesystem::path& file, const std::string& target, const std::string& link,
                        bool soft = false) {
  const hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (id < 0) throw std::runtime_error("cannot open " + file.string());
  const herr_t made = soft ? H5Lcreate_soft(target.c_str(), id, link.c_str(), H5P_DEFAULT, H5P_DEFAULT)
                           : H5Lcreate_hard(id, target.c_str(), id, link.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  H5Fclose(id);
  if (made < 0) throw std::runtime_error("cannot link " + link + " to " + target + " in " + file.string());
}

}  // namespace gibbs::test
