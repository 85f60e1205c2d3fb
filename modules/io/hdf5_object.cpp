// gibbs.io:hdf5 — attributes, groups and datasets (row selections by hyperslab).
module;
#include <hdf5.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>
module gibbs.io;
import gibbs.core;

#include "modules/io/hdf5_detail.h"

namespace gibbs::io::h5 {
using namespace detail;

namespace {

std::string where(const Object& object, const std::string& attribute) {
  return fmt::format("attribute '{}' of {}", attribute, object.name());
}

[[noreturn]] void bad(const Object& object, const std::string& problem) {
  throw FormatError(object.file_name(), problem);
}

// Product of the dimensions after the first: the elements in one row.
std::uint64_t row_elements(const Dims& dims) {
  std::uint64_t n = 1;
  for (std::size_t i = 1; i < dims.size(); ++i) n *= dims[i];
  return n;
}

Dims default_chunk(Type type, const Dims& dims) {
  const std::uint64_t row_bytes = row_elements(dims) * (type == Type::uint8                            ? 1
                                                        : type == Type::int32 || type == Type::float32 ? 4
                                                                                                       : 8);
  Dims chunk = dims;
  chunk[0] = std::clamp<std::uint64_t>(65536 / std::max<std::uint64_t>(row_bytes, 1), 1, dims[0]);
  return chunk;
}

}  // namespace

std::string Object::file_name() const { return object_file(id()); }

std::string Object::name() const {
  const ssize_t size = H5Iget_name(id(), nullptr, 0);
  if (size <= 0) return "?";
  std::string text(static_cast<std::size_t>(size), '\0');
  H5Iget_name(id(), text.data(), text.size() + 1);
  return text;
}

std::string Object::address() const {
#if H5_VERSION_GE(1, 12, 0)
  H5O_info2_t info;
  check_g(H5Oget_info3(id(), &info, H5O_INFO_BASIC), id(), "locate " + name());
  char* token = nullptr;
  check_g(H5Otoken_to_str(id(), &info.token, &token), id(), "locate " + name());
  const std::string key = fmt::format("{}:{}", info.fileno, token);
  H5free_memory(token);
  return key;
#else
  H5O_info_t info;
  check_g(H5Oget_info2(id(), &info, H5O_INFO_BASIC), id(), "locate " + name());
  return fmt::format("{}:{}", info.fileno, info.addr);
#endif
}

bool Object::has_attribute(const std::string& name) const {
  return check_a(H5Aexists(id(), name.c_str()), id(), "look up " + where(*this, name)) > 0;
}

std::vector<std::string> Object::attribute_names() const {
  std::vector<std::string> names;
  auto collect = [](hid_t, const char* name, const H5A_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  check_a(H5Aiterate2(id(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &names), id(), "list attributes");
  return names;
}

Layout Object::attribute_layout(const std::string& name) const {
  if (!has_attribute(name)) bad(*this, fmt::format("{} is missing", where(*this, name)));
  Handle attribute(check_a(H5Aopen(id(), name.c_str(), H5P_DEFAULT), id(), "open " + where(*this, name)));
  Handle type(check_a(H5Aget_type(attribute.id()), id(), "read the type of " + where(*this, name)));
  Handle space(check_a(H5Aget_space(attribute.id()), id(), "read the shape of " + where(*this, name)));
  return {classify(type.id()), space_dims(space.id())};
}

void Object::write_attribute(const std::string& name, Type type, const Dims& dims, const void* data) {
  if (has_attribute(name)) check_a(H5Adelete(id(), name.c_str()), id(), "replace " + where(*this, name));
  Handle space = simple_space(dims);
  Handle string = type == Type::string ? string_type(true, 0) : Handle();
  const hid_t ftype = type == Type::string ? string.id() : file_type(type);
  const hid_t mtype = type == Type::string ? string.id() : memory_type(type);
  Handle attribute(check_a(H5Acreate2(id(), name.c_str(), ftype, space.id(), H5P_DEFAULT, H5P_DEFAULT), id(),
                           "create " + where(*this, name)));
  check_a(H5Awrite(attribute.id(), mtype, data), id(), "write " + where(*this, name));
}

void Object::set_attribute(const std::string& name, const std::string& value) {
  const char* p = value.c_str();
  write_attribute(name, Type::string, {}, &p);
}

void Object::set_attribute(const std::string& name, std::span<const std::string> values) {
  std::vector<const char*> pointers;
  for (const std::string& v : values) pointers.push_back(v.c_str());
  write_attribute(name, Type::string, {values.size()}, pointers.data());
}

void Object::read_attribute(const std::string& name, Type type, std::uint64_t count, void* out) const {
  Handle attribute(check_a(H5Aopen(id(), name.c_str(), H5P_DEFAULT), id(), "open " + where(*this, name)));
  if (type != Type::string) {
    check_a(H5Aread(attribute.id(), memory_type(type), out), id(), "read " + where(*this, name));
    return;
  }
  auto* strings = static_cast<std::string*>(out);
  Handle ftype(check_a(H5Aget_type(attribute.id()), id(), "read the type of " + where(*this, name)));
  if (H5Tis_variable_str(ftype.id()) > 0) {
    Handle mtype = string_type(true, 0);
    std::vector<char*> pointers(count, nullptr);
    check_a(H5Aread(attribute.id(), mtype.id(), pointers.data()), id(), "read " + where(*this, name));
    for (std::uint64_t i = 0; i < count; ++i) strings[i] = pointers[i] ? pointers[i] : "";
    Handle space(check_a(H5Aget_space(attribute.id()), id(), "read the shape of " + where(*this, name)));
    H5Dvlen_reclaim(mtype.id(), space.id(), H5P_DEFAULT, pointers.data());
  } else {
    const std::size_t size = H5Tget_size(ftype.id());
    Handle mtype = string_type(false, size);
    std::vector<char> buffer(count * size + 1, '\0');
    check_a(H5Aread(attribute.id(), mtype.id(), buffer.data()), id(), "read " + where(*this, name));
    for (std::uint64_t i = 0; i < count; ++i)
      strings[i] = std::string(buffer.data() + i * size, strnlen(buffer.data() + i * size, size));
  }
}

namespace {
// The layout of an attribute that must be of `wanted` class and scalar (or 1-D if `array`).
Layout expect_attribute(const Object& o, const std::string& name, const char* wanted, bool array) {
  const Layout l = o.attribute_layout(name);
  const bool is_int = l.type == Type::uint8 || l.type == Type::int32 || l.type == Type::int64 || l.type == Type::uint64;
  const bool is_float = l.type == Type::float32 || l.type == Type::float64;
  const std::string_view w = wanted;
  const bool ok = w == "string" ? l.type == Type::string : w == "integer" ? is_int : (is_int || is_float);
  if (!ok) bad(o, fmt::format("{} is {}, expected {}", where(o, name), to_string(l.type), wanted));
  if (l.dims.size() > (array ? 1u : 0u) || (!array && l.elements() != 1))
    bad(o,
        fmt::format("{} has {} dimensions, expected {}", where(o, name), l.dims.size(), array ? "0 or 1" : "a scalar"));
  return l;
}
}  // namespace

std::string Object::string_attribute(const std::string& name) const {
  expect_attribute(*this, name, "string", false);
  std::string value;
  read_attribute(name, Type::string, 1, &value);
  return value;
}

std::vector<std::string> Object::strings_attribute(const std::string& name) const {
  std::vector<std::string> values(expect_attribute(*this, name, "string", true).elements());
  read_attribute(name, Type::string, values.size(), values.data());
  return values;
}

std::int64_t Object::int_attribute(const std::string& name) const {
  expect_attribute(*this, name, "integer", false);
  std::int64_t value = 0;
  read_attribute(name, Type::int64, 1, &value);
  return value;
}

std::uint64_t Object::uint_attribute(const std::string& name) const {
  expect_attribute(*this, name, "integer", false);
  std::uint64_t value = 0;
  read_attribute(name, Type::uint64, 1, &value);
  return value;
}

double Object::double_attribute(const std::string& name) const {
  expect_attribute(*this, name, "number", false);
  double value = 0;
  read_attribute(name, Type::float64, 1, &value);
  return value;
}

std::vector<std::int64_t> Object::ints_attribute(const std::string& name) const {
  std::vector<std::int64_t> values(expect_attribute(*this, name, "integer", true).elements());
  read_attribute(name, Type::int64, values.size(), values.data());
  return values;
}

std::vector<double> Object::doubles_attribute(const std::string& name) const {
  std::vector<double> values(expect_attribute(*this, name, "number", true).elements());
  read_attribute(name, Type::float64, values.size(), values.data());
  return values;
}

// ---- groups

bool Group::has(const std::string& path) const {
  // H5Lexists fails rather than answering "no" when an intermediate link is missing.
  std::size_t end = 0;
  while (end != std::string::npos) {
    end = path.find('/', end + 1);
    const std::string prefix = path.substr(0, end);
    if (check_g(H5Lexists(id(), prefix.c_str(), H5P_DEFAULT), id(), "look up " + prefix) <= 0) return false;
  }
  return true;
}

namespace {
H5I_type_t kind(const Group& g, const std::string& path) {
  if (!g.has(path)) return H5I_BADID;
  Handle object(check_g(H5Oopen(g.id(), path.c_str(), H5P_DEFAULT), g.id(), "open " + path));
  return H5Iget_type(object.id());
}
}  // namespace

bool Group::has_group(const std::string& path) const { return kind(*this, path) == H5I_GROUP; }
bool Group::has_dataset(const std::string& path) const { return kind(*this, path) == H5I_DATASET; }

std::vector<std::string> Group::children() const {
  H5G_info_t info;
  check_g(H5Gget_info(id(), &info), id(), "list " + name());
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    const ssize_t size = check_g(H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT),
                                 id(), "list " + name());
    std::string link(static_cast<std::size_t>(size), '\0');
    H5Lget_name_by_idx(id(), ".", H5_INDEX_NAME, H5_ITER_INC, i, link.data(), link.size() + 1, H5P_DEFAULT);
    names.push_back(std::move(link));
  }
  return names;
}

// Objects record no creation times, so the same content makes the same bytes.
Group Group::create_group(const std::string& path) {
  Handle plist(check_p(H5Pcreate(H5P_GROUP_CREATE), id(), "create group properties"));
  check_p(H5Pset_obj_track_times(plist.id(), false), id(), "untime group " + path);
  return Group(Handle(
      check_g(H5Gcreate2(id(), path.c_str(), H5P_DEFAULT, plist.id(), H5P_DEFAULT), id(), "create group " + path)));
}

Group Group::open_group(const std::string& path) const {
  if (!has_group(path)) bad(*this, fmt::format("no group '{}' in {}", path, name()));
  return Group(Handle(check_g(H5Gopen2(id(), path.c_str(), H5P_DEFAULT), id(), "open group " + path)));
}

Dataset Group::create_dataset(const std::string& path, Type type, const Dims& dims, const DatasetOptions& options) {
  Handle space = simple_space(dims);
  Handle plist(check_p(H5Pcreate(H5P_DATASET_CREATE), id(), "create dataset properties"));
  check_p(H5Pset_obj_track_times(plist.id(), false), id(), "untime " + path);
  const bool chunked = !dims.empty() && std::ranges::find(dims, 0u) == dims.end();
  if (chunked) {
    const Dims c = options.chunk.empty() ? default_chunk(type, dims) : options.chunk;
    const std::vector<hsize_t> chunk(c.begin(), c.end());
    check_p(H5Pset_chunk(plist.id(), static_cast<int>(chunk.size()), chunk.data()), id(), "chunk " + path);
    if (options.shuffle) check_p(H5Pset_shuffle(plist.id()), id(), "shuffle " + path);
    if (options.deflate > 0)
      check_p(H5Pset_deflate(plist.id(), static_cast<unsigned>(options.deflate)), id(), "compress " + path);
    // A checksum per chunk: a corrupted chunk is a read error, not values.
    check_p(H5Pset_fletcher32(plist.id()), id(), "checksum " + path);
  }
  return Dataset(
      Handle(check_d(H5Dcreate2(id(), path.c_str(), file_type(type), space.id(), H5P_DEFAULT, plist.id(), H5P_DEFAULT),
                     id(), "create dataset " + path)));
}

Dataset Group::open_dataset(const std::string& path) const {
  if (!has_dataset(path)) bad(*this, fmt::format("no dataset '{}' in {}", path, name()));
  return Dataset(Handle(check_d(H5Dopen2(id(), path.c_str(), H5P_DEFAULT), id(), "open dataset " + path)));
}

// ---- datasets

Layout Dataset::layout() const {
  Handle type(check_d(H5Dget_type(id()), id(), "read the type of " + name()));
  Handle space(check_d(H5Dget_space(id()), id(), "read the shape of " + name()));
  return {classify(type.id()), space_dims(space.id())};
}

std::string Dataset::storage_problem() const { return detail::storage_problem(id()); }

std::string detail::storage_problem(hid_t dataset) {
  const Handle plist(H5Dget_create_plist(dataset)), type(H5Dget_type(dataset)), space(H5Dget_space(dataset));
  if (!plist.valid() || !type.valid() || !space.valid()) return {};
  if (H5Pget_external_count(plist.id()) != 0) return "keeps its values in external files, which gibbs does not read";
  const int rank = H5Sget_simple_extent_ndims(space.id());
  std::vector<hsize_t> dims(rank > 0 ? static_cast<std::size_t>(rank) : 0);
  if (rank > 0) H5Sget_simple_extent_dims(space.id(), dims.data(), nullptr);
  double declared = static_cast<double>(H5Tget_size(type.id()));
  for (const hsize_t d : dims) declared *= static_cast<double>(d);
  const auto stored = static_cast<double>(H5Dget_storage_size(dataset));
  constexpr double kMostDeflate = 1032;  // zlib's largest expansion of compressed bytes
  if (declared > 0 && stored * kMostDeflate < declared)
    return fmt::format("declares {:.3g} GiB of values, and the file stores {} bytes of them", declared / (1 << 30),
                       stored);
  return {};
}

void Dataset::write_raw(Type type, std::size_t count, const void* data) {
  if (count != layout().elements())
    throw ArgumentError(
        fmt::format("hdf5: writing {} values into {} of {} elements", count, name(), layout().elements()));
  if (count == 0) return;
  check_d(H5Dwrite(id(), memory_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, data), id(), "write " + name());
}

void Dataset::read_raw(Type type, std::size_t count, void* out) const {
  if (count != layout().elements())
    throw ArgumentError(
        fmt::format("hdf5: reading {} elements of {} into {} values", layout().elements(), name(), count));
  if (count == 0) return;
  check_d(H5Dread(id(), memory_type(type), H5S_ALL, H5S_ALL, H5P_DEFAULT, out), id(), "read " + name());
}

namespace {
// Selects rows [first, first + count) of a dataset of shape dims in `space`, set or or-ed.
void select_rows(hid_t space, const Dims& dims, std::uint64_t first, std::uint64_t count, H5S_seloper_t op,
                 hid_t where) {
  std::vector<hsize_t> start(dims.size(), 0), extent(dims.begin(), dims.end());
  start[0] = first;
  extent[0] = count;
  check_s(H5Sselect_hyperslab(space, op, start.data(), nullptr, extent.data(), nullptr), where, "select rows");
}

void read_selection(hid_t dataset, hid_t mtype, hid_t file_space, const Dims& dims, std::uint64_t rows, void* out,
                    const std::string& what) {
  Dims mdims = dims;
  mdims[0] = rows;
  Handle memory = simple_space(mdims);
  check_d(H5Dread(dataset, mtype, memory.id(), file_space, H5P_DEFAULT, out), dataset, "read " + what);
}
}  // namespace

void Dataset::read_rows_raw(Type type, std::span<const std::uint64_t> rows, std::size_t count, void* out) const {
  const Layout l = layout();
  if (l.dims.empty()) throw ArgumentError(fmt::format("hdf5: {} is a scalar, it has no rows", name()));
  if (count != rows.size() * row_elements(l.dims))
    throw ArgumentError(fmt::format("hdf5: {} rows of {} need {} values, not {}", rows.size(), name(),
                                    rows.size() * row_elements(l.dims), count));
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (rows[i] >= l.dims[0] || (i > 0 && rows[i] <= rows[i - 1]))
      throw ArgumentError(fmt::format("hdf5: row list for {} is not increasing within [0, {})", name(), l.dims[0]));
  if (rows.empty() || count == 0) return;
  Handle space(check_d(H5Dget_space(id()), id(), "read the shape of " + name()));
  // libhdf5 reads a selection of scattered rows from a chunked dataset slowly (it walks the
  // selection element by element, and merges each block into the selection in time that grows
  // with it), and decompresses every chunk a selected row touches anyway. So the rows go window
  // by window (at most 4 MiB of rows): a window whose rows are dense is read whole and the rows
  // asked for are copied out; a sparse one is read as one hyperslab block per run of consecutive
  // rows, at most kRunsPerRead runs a read.
  constexpr std::size_t kWindowBytes = std::size_t{4} << 20, kDensity = 8, kRunsPerRead = 256;
  const std::size_t row_bytes = row_elements(l.dims) * H5Tget_size(memory_type(type));
  const std::uint64_t window = std::max<std::size_t>(1, kWindowBytes / std::max<std::size_t>(row_bytes, 1));
  auto* const bytes = static_cast<unsigned char*>(out);
  std::vector<unsigned char> scratch;
  for (std::size_t i = 0; i < rows.size();) {
    std::size_t end = i;
    while (end < rows.size() && rows[end] - rows[i] < window) ++end;
    const std::uint64_t span = rows[end - 1] - rows[i] + 1;
    if ((end - i) * kDensity >= span) {
      scratch.resize(span * row_bytes);
      select_rows(space.id(), l.dims, rows[i], span, H5S_SELECT_SET, id());
      read_selection(id(), memory_type(type), space.id(), l.dims, span, scratch.data(), name());
      for (std::size_t k = i; k < end; ++k)
        std::memcpy(bytes + k * row_bytes, scratch.data() + (rows[k] - rows[i]) * row_bytes, row_bytes);
      i = end;
      continue;
    }
    while (i < end) {
      const std::size_t first = i;
      for (std::size_t runs = 0; i < end && runs < kRunsPerRead; ++runs) {
        std::size_t j = i + 1;
        while (j < end && rows[j] == rows[j - 1] + 1) ++j;
        select_rows(space.id(), l.dims, rows[i], j - i, runs == 0 ? H5S_SELECT_SET : H5S_SELECT_OR, id());
        i = j;
      }
      read_selection(id(), memory_type(type), space.id(), l.dims, i - first, bytes + first * row_bytes, name());
    }
  }
}

void Dataset::read_range_raw(Type type, std::uint64_t first, std::uint64_t rows, std::size_t count, void* out) const {
  const Layout l = layout();
  if (l.dims.empty() || first + rows > l.dims[0] || count != rows * row_elements(l.dims))
    throw ArgumentError(
        fmt::format("hdf5: rows [{}, {}) do not fit {} ({} values given)", first, first + rows, name(), count));
  if (rows == 0 || count == 0) return;
  Handle space(check_d(H5Dget_space(id()), id(), "read the shape of " + name()));
  select_rows(space.id(), l.dims, first, rows, H5S_SELECT_SET, id());
  read_selection(id(), memory_type(type), space.id(), l.dims, rows, out, name());
}

}  // namespace gibbs::io::h5
