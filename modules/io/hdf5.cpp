// gibbs.io:hdf5 — handles, files, groups and datasets over the HDF5 C API. Each C API family
// goes through one checked wrapper that turns a failure into Hdf5Error with HDF5's error stack.
module;
#include <hdf5.h>

#include <fmt/format.h>

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <mutex>
#include <numeric>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>
module gibbs.io;
import gibbs.core;

#include "modules/io/hdf5_detail.h"

namespace gibbs::io::h5 {

static_assert(std::is_same_v<hid_t, std::int64_t>, "Handle stores hid_t as int64");

namespace detail {

void silence_hdf5() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

namespace {
herr_t walk(unsigned, const H5E_error2_t* e, void* data) {
  char minor[160] = "";
  H5Eget_msg(e->min_num, nullptr, minor, sizeof minor);
  static_cast<std::vector<std::string>*>(data)->push_back(
      fmt::format("{}(): {} [{}]", e->func_name ? e->func_name : "?", e->desc ? e->desc : "", minor));
  return 0;
}
}  // namespace

std::string object_file(hid_t id) {
  const ssize_t size = H5Fget_name(id, nullptr, 0);
  if (size <= 0) return "<hdf5>";
  std::string name(static_cast<std::size_t>(size), '\0');
  H5Fget_name(id, name.data(), name.size() + 1);
  return name;
}

[[noreturn]] void fail(const char* family, const std::string& file, std::string_view context) {
  std::vector<std::string> stack;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk, &stack);
  H5Eclear2(H5E_DEFAULT);
  const std::string cause = stack.empty() ? std::string("failed") : stack.back();
  throw Hdf5Error(fmt::format("{}: {} ({} failed: {})", file, context, family, cause), std::move(stack));
}

hid_t memory_type(Type type) {
  switch (type) {
    case Type::uint8: return H5T_NATIVE_UINT8;
    case Type::int32: return H5T_NATIVE_INT32;
    case Type::int64: return H5T_NATIVE_INT64;
    case Type::uint64: return H5T_NATIVE_UINT64;
    case Type::float32: return H5T_NATIVE_FLOAT;
    case Type::float64: return H5T_NATIVE_DOUBLE;
    default: throw ArgumentError("hdf5: no memory type for " + to_string(type));
  }
}

hid_t file_type(Type type) {
  switch (type) {
    case Type::uint8: return H5T_STD_U8LE;
    case Type::int32: return H5T_STD_I32LE;
    case Type::int64: return H5T_STD_I64LE;
    case Type::uint64: return H5T_STD_U64LE;
    case Type::float32: return H5T_IEEE_F32LE;
    case Type::float64: return H5T_IEEE_F64LE;
    default: throw ArgumentError("hdf5: no file type for " + to_string(type));
  }
}

Type classify(hid_t type) {
  const std::size_t size = H5Tget_size(type);
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: {
      const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
      if (size == 1 && !is_signed) return Type::uint8;
      if (size == 4 && is_signed) return Type::int32;
      if (size == 8) return is_signed ? Type::int64 : Type::uint64;
      return Type::other;
    }
    case H5T_FLOAT: return size == 4 ? Type::float32 : size == 8 ? Type::float64 : Type::other;
    case H5T_STRING: return Type::string;
    default: return Type::other;
  }
}

Handle string_type(bool variable, std::size_t size) {
  Handle t(check_t(H5Tcopy(H5T_C_S1), -1, "copy string type"));
  check_t(H5Tset_size(t.id(), variable ? H5T_VARIABLE : size), -1, "set string size");
  check_t(H5Tset_cset(t.id(), H5T_CSET_UTF8), -1, "set string encoding");
  return t;
}

Handle simple_space(const Dims& dims) {
  if (dims.empty()) return Handle(check_s(H5Screate(H5S_SCALAR), -1, "create scalar dataspace"));
  const std::vector<hsize_t> d(dims.begin(), dims.end());
  return Handle(check_s(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr), -1, "create dataspace"));
}

Dims space_dims(hid_t space) {
  const int rank = check_s(H5Sget_simple_extent_ndims(space), -1, "read dataspace rank");
  std::vector<hsize_t> d(static_cast<std::size_t>(rank));
  if (rank > 0) check_s(H5Sget_simple_extent_dims(space, d.data(), nullptr), -1, "read dataspace extent");
  return Dims(d.begin(), d.end());
}

}  // namespace detail

using namespace detail;

Hdf5Error::Hdf5Error(const std::string& message, std::vector<std::string> stack)
    : IoError(message), stack_(std::move(stack)) {}

std::string to_string(Type type) {
  switch (type) {
    case Type::uint8: return "uint8";
    case Type::int32: return "int32";
    case Type::int64: return "int64";
    case Type::uint64: return "uint64";
    case Type::float32: return "float32";
    case Type::float64: return "float64";
    case Type::string: return "string";
    default: return "an unsupported type";
  }
}

std::uint64_t Layout::elements() const {
  // Saturates: dimensions a file claims may multiply past 2^64, and a product that wrapped round
  // to a small number would size a buffer HDF5 then writes the whole dataset into.
  std::uint64_t n = 1;
  for (const std::uint64_t d : dims) {
    if (d != 0 && n > std::numeric_limits<std::uint64_t>::max() / d) return std::numeric_limits<std::uint64_t>::max();
    n *= d;
  }
  return n;
}

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    reset();
    id_ = other.release();
  }
  return *this;
}

std::int64_t Handle::release() noexcept { return std::exchange(id_, -1); }

void Handle::reset() noexcept {
  if (id_ < 0) return;
  herr_t status = 0;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: status = H5Fclose(id_); break;
    case H5I_GROUP: status = H5Gclose(id_); break;
    case H5I_DATASET: status = H5Dclose(id_); break;
    case H5I_ATTR: status = H5Aclose(id_); break;
    case H5I_DATASPACE: status = H5Sclose(id_); break;
    case H5I_DATATYPE: status = H5Tclose(id_); break;
    case H5I_GENPROP_LST: status = H5Pclose(id_); break;
    default: status = H5Idec_ref(id_) < 0 ? -1 : 0; break;
  }
  if (status < 0) {
    std::fprintf(stderr, "gibbs: warning: closing HDF5 object %lld failed\n", static_cast<long long>(id_));
    H5Eclear2(H5E_DEFAULT);
  }
  id_ = -1;
}

File File::create(const std::filesystem::path& path) {
  silence_hdf5();
  Handle access(check_p(H5Pcreate(H5P_FILE_ACCESS), -1, "file access properties"));
#if H5_VERSION_GE(1, 10, 7)
  // Outputs are AtomicFile temporaries, ours alone and locked by AtomicFile; HDF5's own flock()
  // would conflict with that lock on NFS, where flock is emulated by fcntl locks.
  check_p(H5Pset_file_locking(access.id(), false, true), -1, "file access properties");
#endif
  // The 1.8 file format: checksummed metadata (a corrupted header is an error, not followed) and
  // attributes of any size (thousands of class names); HDF5 1.8 and later read it.
  check_p(H5Pset_libver_bounds(access.id(), H5F_LIBVER_V18, H5F_LIBVER_V18), -1, "file format version");
  // The root group records no times either (the 1.8 format's object headers would hold them).
  Handle creation(check_p(H5Pcreate(H5P_FILE_CREATE), -1, "file creation properties"));
  check_p(H5Pset_obj_track_times(creation.id(), false), -1, "file creation properties");
  const hid_t id = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, creation.id(), access.id());
  if (id < 0) fail("H5F", path.string(), "cannot create the file");
  return File(Handle(id), path);
}

File File::open(const std::filesystem::path& path, bool writable) {
  silence_hdf5();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(path.string(), "no such file");
  if (std::filesystem::is_directory(path, ec)) throw IoError(path.string(), "is a directory, not a file");
  if (::access(path.c_str(), writable ? R_OK | W_OK : R_OK) != 0)
    throw IoError(path.string(), std::string("cannot open: ") + std::strerror(errno));
  preflight(path);  // before libhdf5 reads a byte of it here
  if (H5Fis_hdf5(path.c_str()) <= 0) {
    H5Eclear2(H5E_DEFAULT);
    throw FormatError(path.string(), "not an HDF5 file");
  }
  record_input(path);
  const hid_t id = H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) fail("H5F", path.string(), "cannot open the HDF5 file");
  return File(Handle(id), path);
}

Group File::root() const {
  return Group(Handle(check_g(H5Gopen2(handle_.id(), "/", H5P_DEFAULT), handle_.id(), "open the root group")));
}

void File::flush() { check_f(H5Fflush(handle_.id(), H5F_SCOPE_GLOBAL), handle_.id(), "flush"); }

void File::close() {
  if (!handle_.valid()) return;
  const hid_t id = handle_.release();
  if (H5Fclose(id) < 0) fail("H5F", path_.string(), "closing the file failed");
}

}  // namespace gibbs::io::h5
