// gibbs.core: matrix storage, views with a row stride, shape errors, thread count, row groups.
#define BOOST_TEST_MODULE core
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>
import gibbs.core;

using gibbs::Matrix;
using gibbs::MatrixView;

BOOST_AUTO_TEST_CASE(matrix_is_zeroed_aligned_and_row_major) {
  Matrix<float> m(3, 5);
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(m.data()) % 64 == 0u);
  for (float v : m.values()) BOOST_TEST(v == 0.0f);
  m(1, 2) = 7.0f;
  BOOST_TEST(m.data()[1 * 5 + 2] == 7.0f);
  BOOST_TEST(m.row(1)[2] == 7.0f);
}

// A large matrix starts on a 2 MiB boundary, where the kernel can back it with huge pages; the
// budget still counts the bytes asked for.
BOOST_AUTO_TEST_CASE(a_large_matrix_starts_on_a_huge_page_and_is_zeroed) {
  const std::size_t before = gibbs::memory_in_use();
  Matrix<float> m(1024, 2049);  // 8.0 MiB and a little
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(m.data()) % (std::uintptr_t{2} << 20) == 0u);
  BOOST_TEST(gibbs::memory_in_use() == before + (1024u * 2049u * 4u + 63u) / 64u * 64u);
  BOOST_TEST(std::ranges::all_of(m.values(), [](float v) { return v == 0.0f; }));
  Matrix<std::uint8_t> small(1024, 2048);  // 2 MiB: the plain 64-byte alignment
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(small.data()) % 64 == 0u);
}

BOOST_AUTO_TEST_CASE(copy_is_deep_and_move_empties_the_source) {
  Matrix<float> a(2, 2, 1.5f);
  Matrix<float> b = a;
  b(0, 0) = 3.0f;
  BOOST_TEST(a(0, 0) == 1.5f);
  Matrix<float> c = std::move(b);
  BOOST_TEST(c(0, 0) == 3.0f);
  BOOST_TEST(b.rows() == 0u);  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  BOOST_TEST(b.size() == 0u);
}

BOOST_AUTO_TEST_CASE(block_views_share_storage_and_keep_the_stride) {
  Matrix<float> m(4, 6);
  for (std::size_t r = 0; r < 4; ++r)
    for (std::size_t c = 0; c < 6; ++c) m(r, c) = static_cast<float>(10 * r + c);
  MatrixView<float> block = m.view().block(1, 2, 2, 3);
  BOOST_TEST(block.stride() == 6u);
  BOOST_TEST(block(0, 0) == 12.0f);
  BOOST_TEST(block(1, 2) == 24.0f);
  block(1, 2) = -1.0f;
  BOOST_TEST(m(2, 4) == -1.0f);
  gibbs::ConstView<float> read_only = block;
  BOOST_TEST(read_only(1, 2) == -1.0f);
  Matrix<float> copy(read_only);
  BOOST_TEST(copy.cols() == 3u);
  BOOST_TEST(copy(1, 2) == -1.0f);
}

BOOST_AUTO_TEST_CASE(out_of_range_block_and_bad_stride_throw) {
  Matrix<float> m(4, 6);
  BOOST_CHECK_THROW(m.view().block(3, 0, 2, 1), gibbs::ShapeError);
  float data[4] = {};
  BOOST_CHECK_THROW(MatrixView<float>(data, 2, 2, 1), gibbs::ArgumentError);
}

BOOST_AUTO_TEST_CASE(a_matrix_too_large_to_allocate_is_an_argument_error) {
  // 2⁶² × 3 floats overflow a size_t; 2⁴⁰ × 2⁴⁰ too; neither may wrap to a small allocation.
  BOOST_CHECK_EXCEPTION(gibbs::Matrix<float>(std::size_t{1} << 62, 3), gibbs::ArgumentError,
                        [](const gibbs::ArgumentError& e) {
                          return std::string(e.what()) ==
                                 "a matrix of 4611686018427387904 × 3 values (5.15e+10 GiB) is more memory than this "
                                 "machine gives";
                        });
  BOOST_CHECK_THROW(gibbs::Matrix<double>(std::size_t{1} << 40, std::size_t{1} << 40), gibbs::ArgumentError);
  BOOST_TEST(gibbs::Matrix<float>(0, std::size_t{1} << 62).size() == 0u);  // nothing to allocate
}

BOOST_AUTO_TEST_CASE(matrices_are_counted_against_the_memory_budget) {
  const std::size_t budget = gibbs::memory_budget(), before = gibbs::memory_in_use();
  gibbs::set_memory_budget(before + (1 << 20));  // 1 MiB more than is held now
  {
    gibbs::Matrix<float> a(512, 256);  // 512 KiB
    BOOST_TEST(gibbs::memory_in_use() == before + (512u << 10));
    gibbs::Matrix<float> moved = std::move(a);
    BOOST_TEST(gibbs::memory_in_use() == before + (512u << 10));
    BOOST_CHECK_EXCEPTION(gibbs::Matrix<float>(1024, 256), gibbs::ArgumentError, [](const gibbs::ArgumentError& e) {
      return std::string(e.what()).starts_with(
          "a matrix of 1024 × 256 values (0.000977 GiB) is more memory than gibbs may use: ");
    });
    gibbs::Matrix<float> b(256, 256);  // what is left still fits
  }
  BOOST_TEST(gibbs::memory_in_use() == before);  // all given back
  gibbs::set_memory_budget(budget);
}

BOOST_AUTO_TEST_CASE(memory_limits_are_sizes_or_shares) {
  BOOST_TEST(gibbs::parse_memory_limit("12G") == std::size_t{12} << 30);
  BOOST_TEST(gibbs::parse_memory_limit("512M") == std::size_t{512} << 20);
  BOOST_TEST(gibbs::parse_memory_limit("4096K") == std::size_t{4} << 20);
  BOOST_TEST(gibbs::parse_memory_limit("1000000") == 1000000u);
  BOOST_TEST(gibbs::parse_memory_limit("100%") >= gibbs::parse_memory_limit("50%"));
  for (const char* bad : {"", "0", "-1G", "12GB", "150%", "1.5G", "99999999999T"})
    BOOST_CHECK_EXCEPTION(gibbs::parse_memory_limit(bad), gibbs::ArgumentError, [&](const gibbs::ArgumentError& e) {
      return std::string(e.what()) ==
             "--memory-limit: must be a size such as 12G, 512M or 1000000 (bytes), or a share such as 50%, got '" +
                 std::string(bad) + "'";
    });
}

BOOST_AUTO_TEST_CASE(shape_error_names_both_shapes) {
  try {
    gibbs::expect_shape("gemm: C", {3, 4}, {3, 5});
    BOOST_FAIL("no exception");
  } catch (const gibbs::ShapeError& e) {
    BOOST_TEST(std::string(e.what()) == "gemm: C: shape [3, 4], expected [3, 5]");
    BOOST_TEST(e.actual().cols == 4u);
  }
  BOOST_CHECK_NO_THROW(gibbs::expect_shape("x", {2, 2}, {2, 2}));
}

BOOST_AUTO_TEST_CASE(thread_count_is_set_and_restored) {
  gibbs::set_thread_count(1);
  BOOST_TEST(gibbs::thread_count() == 1);
  gibbs::set_thread_count(0);
  BOOST_TEST(gibbs::thread_count() == gibbs::hardware_threads());
  BOOST_CHECK_THROW(gibbs::set_thread_count(-2), gibbs::ArgumentError);
}

// Each call: begin, end, and thread_count() inside it.
using Groups = std::vector<std::tuple<std::size_t, std::size_t, int>>;

Groups row_groups(int threads, std::size_t rows, std::size_t min_rows) {
  gibbs::set_thread_count(threads);
  Groups calls;
  std::mutex mutex;
  gibbs::for_row_groups(rows, min_rows, [&](std::size_t begin, std::size_t end) {
    const int inside = gibbs::thread_count();
    const std::lock_guard lock(mutex);
    calls.emplace_back(begin, end, inside);
  });
  gibbs::set_thread_count(0);
  std::ranges::sort(calls);
  return calls;
}

BOOST_AUTO_TEST_CASE(row_groups_take_one_thread_each_when_every_group_has_enough_rows) {
  BOOST_TEST((row_groups(3, 31, 8) == Groups{{0, 10, 1}, {10, 20, 1}, {20, 31, 1}}));
  BOOST_TEST((row_groups(2, 16, 8) == Groups{{0, 8, 1}, {8, 16, 1}}));
  // Too few rows for a group a thread: one call, whose own parallel work uses every thread.
  BOOST_TEST((row_groups(3, 23, 8) == Groups{{0, 23, 3}}));
  BOOST_TEST((row_groups(1, 100, 8) == Groups{{0, 100, 1}}));
}

// Each call: the task, and thread_count() inside it.
using Tasks = std::vector<std::pair<std::size_t, int>>;

Tasks serial_tasks(int threads, std::size_t count) {
  gibbs::set_thread_count(threads);
  Tasks calls;
  std::mutex mutex;
  gibbs::for_serial_tasks(count, [&](std::size_t begin, std::size_t end) {
    const int inside = gibbs::thread_count();
    const std::lock_guard lock(mutex);
    BOOST_TEST(end == begin + 1);
    calls.emplace_back(begin, inside);
  });
  gibbs::set_thread_count(0);
  std::ranges::sort(calls);
  return calls;
}

BOOST_AUTO_TEST_CASE(serial_tasks_run_once_each_on_one_thread) {
  BOOST_TEST((serial_tasks(2, 5) == Tasks{{0, 1}, {1, 1}, {2, 1}, {3, 1}, {4, 1}}));
  BOOST_TEST((serial_tasks(3, 2) == Tasks{{0, 1}, {1, 1}}));
  // One task: on the calling thread, whose own parallel work uses every thread.
  BOOST_TEST((serial_tasks(3, 1) == Tasks{{0, 3}}));
  BOOST_TEST(serial_tasks(2, 0).empty());
}
