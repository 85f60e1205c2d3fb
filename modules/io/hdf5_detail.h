// Internal to gibbs.io's implementation units (included after `module gibbs.io;`, with <hdf5.h>
// in the global module fragment): the checked wrappers, one per HDF5 C API family.
#pragma once

namespace gibbs::io::h5::detail {

void silence_hdf5();  // HDF5 prints its error stack to stderr unless told not to
std::string object_file(hid_t id);
// Dataset::storage_problem of a dataset id; empty also when libhdf5 cannot tell.
std::string storage_problem(hid_t dataset);

// Walks and clears HDF5's error stack and throws Hdf5Error("<file>: <context> (<family> ...)").
[[noreturn]] void fail(const char* family, const std::string& file, std::string_view context);

template <class R>
R check(const char* family, R result, hid_t where, std::string_view context) {
  if (result < 0) fail(family, where >= 0 ? object_file(where) : std::string("<hdf5>"), context);
  return result;
}
template <class R>
R check_f(R r, hid_t where, std::string_view what) {
  return check("H5F", r, where, what);
}
template <class R>
R check_g(R r, hid_t where, std::string_view what) {
  return check("H5G/H5L/H5O", r, where, what);
}
template <class R>
R check_d(R r, hid_t where, std::string_view what) {
  return check("H5D", r, where, what);
}
template <class R>
R check_a(R r, hid_t where, std::string_view what) {
  return check("H5A", r, where, what);
}
template <class R>
R check_s(R r, hid_t where, std::string_view what) {
  return check("H5S", r, where, what);
}
template <class R>
R check_t(R r, hid_t where, std::string_view what) {
  return check("H5T", r, where, what);
}
template <class R>
R check_p(R r, hid_t where, std::string_view what) {
  return check("H5P", r, where, what);
}

hid_t memory_type(Type type);  // H5T_NATIVE_*
hid_t file_type(Type type);    // little-endian standard types
Type classify(hid_t type);
Handle string_type(bool variable, std::size_t size);  // UTF-8 C string type
Handle simple_space(const Dims& dims);                // scalar when dims is empty
Dims space_dims(hid_t space);

}  // namespace gibbs::io::h5::detail
