// End-to-end tests of PCA beside a model that encodes: `gibbs eval`'s squared error per image for
// the model and for PCA (against the exact answer on data whose training rows span 4 axes, against
// gibbs.linalg, and against the reconstructions `gibbs predict` writes), and `gibbs inspect
// --codes`'s picture of 2-D codes beside the first two principal components, with its errors.
#define BOOST_TEST_MODULE cli_codes
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <random>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/png_read.h"
#include "tests/support/run_gibbs.h"
#include "tests/support/same_run.h"
#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;
import gibbs.linalg;

namespace fs = std::filesystem;
using namespace gibbs::test;

namespace {

constexpr std::size_t kWidth = 16, kSpan = 4;

// 16 values a row, three classes. The 120 training rows vary on the first 4 values only (the
// others are 0.5), so PCA with 4 components rebuilds a test row x as its first 4 values and 0.5
// elsewhere: its squared error is Σ_{i ≥ 4} (x_i − 0.5)². The 30 test rows vary everywhere.
void write_subspace(const fs::path& path, bool labelled) {
  gibbs::io::DatasetWriter writer(
      path, {"subspace", {kWidth}, labelled ? std::vector<std::string>{"a", "b", "c"} : std::vector<std::string>{}});
  std::mt19937 rng(23);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (const auto& [split, rows] : {std::pair{"train", 120}, std::pair{"test", 30}}) {
    gibbs::Matrix<float> x(static_cast<std::size_t>(rows), kWidth);
    std::vector<std::int32_t> y;
    for (std::size_t r = 0; r < x.rows(); ++r) {
      for (std::size_t i = 0; i < kWidth; ++i) x(r, i) = i < kSpan || split == std::string("test") ? u(rng) : 0.5f;
      y.push_back(static_cast<std::int32_t>(r % 3));
    }
    writer.add_split(split, x.view(), labelled ? std::span<const std::int32_t>(y) : std::span<const std::int32_t>());
  }
  writer.commit();
}

double json_number(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\": ");
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, key + " in " + json);
  return std::stod(json.substr(at + key.size() + 4));
}

gibbs::io::Batch all_rows(const fs::path& data, const std::string& split) {
  const gibbs::io::DatasetReader reader(data);
  std::vector<std::size_t> rows(reader.split(split).rows);
  std::iota(rows.begin(), rows.end(), std::size_t{0});
  return reader.read(split, rows);
}

// The outputs of `gibbs predict -o` (row,label,output_0,...), read back exactly.
gibbs::Matrix<float> predicted(const fs::path& csv, std::size_t rows, std::size_t cols) {
  std::istringstream in(slurp(csv));
  std::string line;
  std::getline(in, line);  // the header
  gibbs::Matrix<float> out(rows, cols);
  for (std::size_t r = 0; r < rows && std::getline(in, line); ++r) {
    std::istringstream fields(line);
    std::string field;
    std::getline(fields, field, ',');  // row
    std::getline(fields, field, ',');  // label
    for (std::size_t c = 0; c < cols && std::getline(fields, field, ','); ++c)
      out(r, c) = std::strtof(field.c_str(), nullptr);
  }
  return out;
}

struct Subspace {
  TempDir dir;
  Subspace() {
    write_subspace(dir.path / "subspace.h5", true);
    write_subspace(dir.path / "unlabelled.h5", false);
  }
  void train(const std::string& layers, const std::string& output, const std::string& model = "autoencoder") const {
    const Result r = run_gibbs("train --model " + model + " --data subspace.h5 --layers " + layers +
                                   " --epochs 3 --batch-size 16 --monitor 0 --seed 1 -o " + output,
                               dir.path);
    BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  }
};

// Pixels of the blue, orange and green of the palette (classes 0, 1, 2) in the left and right halves.
struct Colours {
  std::size_t blue[2] = {}, orange[2] = {}, green[2] = {};
};
Colours colours(const Picture& p) {
  Colours c;
  for (std::size_t y = 0; y < p.height; ++y)
    for (std::size_t x = 0; x < p.width; ++x) {
      const std::uint8_t* px = p.at(y, x);
      const bool right = x >= p.width / 2;
      if (px[2] > px[0] + 80 && px[2] > px[1] + 30) ++c.blue[right];                  // 31 119 180
      if (px[0] > 200 && px[1] > 90 && px[1] < 160 && px[2] < 60) ++c.orange[right];  // 255 127 14
      if (px[1] > px[0] + 70 && px[1] > px[2] + 70) ++c.green[right];                 // 44 160 44
    }
  return c;
}

}  // namespace

BOOST_FIXTURE_TEST_CASE(eval_gives_the_model_and_pca_squared_error_per_image, Subspace) {
  train("16,8,4", "ae4.h5");
  const Result eval = run_gibbs("eval ae4.h5 --json", dir.path);
  BOOST_REQUIRE_MESSAGE(eval.status == 0, eval.err);
  const double pca = json_number(eval.out, "pca_squared_error_per_image");
  const double model = json_number(eval.out, "squared_error_per_image");
  BOOST_TEST(json_number(eval.out, "pca_components") == 4.0);
  BOOST_TEST(json_number(eval.out, "pca_train_rows") == 120.0);

  // The exact answer: the test rows' squared distance from the 4 axes the training rows span.
  const gibbs::io::Batch test = all_rows(dir.path / "subspace.h5", "test");
  double exact = 0;
  for (std::size_t r = 0; r < test.x.rows(); ++r)
    for (std::size_t i = kSpan; i < kWidth; ++i) exact += (test.x(r, i) - 0.5) * (test.x(r, i) - 0.5);
  exact /= static_cast<double>(test.x.rows());
  BOOST_TEST(std::abs(pca - exact) < 1e-6 * exact, pca << " " << exact);
  // gibbs.linalg fitted here on the train split gives the same bits.
  const gibbs::io::Batch train = all_rows(dir.path / "subspace.h5", "train");
  const gibbs::linalg::Pca fitted = gibbs::linalg::fit_pca(train.x, 4);
  BOOST_TEST(pca == gibbs::linalg::squared_error_per_row(test.x, fitted.reconstruct(fitted.project(test.x))));

  // The model's: Σ (reconstruction − x)² per row, from the reconstructions predict writes, and
  // the mean squared error over all values times the width.
  BOOST_REQUIRE(run_gibbs("predict ae4.h5 -o rec.csv", dir.path).status == 0);
  const gibbs::Matrix<float> rec = predicted(dir.path / "rec.csv", test.x.rows(), kWidth);
  double squared = 0;
  for (std::size_t r = 0; r < test.x.rows(); ++r)
    for (std::size_t i = 0; i < kWidth; ++i)
      squared += (static_cast<double>(rec(r, i)) - test.x(r, i)) * (static_cast<double>(rec(r, i)) - test.x(r, i));
  squared /= static_cast<double>(test.x.rows());
  BOOST_TEST(std::abs(model - squared) < 1e-12 * squared, model << " " << squared);
  BOOST_TEST(std::abs(model - json_number(eval.out, "mse") * kWidth) < 1e-5 * model);

  const Result text = run_gibbs("eval ae4.h5", dir.path);
  BOOST_TEST(text.out.find("  squared_error_per_image        model ") != std::string::npos, text.out);
  BOOST_TEST(text.out.find(", PCA ") != std::string::npos, text.out);
  BOOST_TEST(text.out.find(" (4 components fitted on the 120 train rows)\n") != std::string::npos, text.out);
  // On the train split, PCA rebuilds every row (4 components hold them all).
  const Result on_train = run_gibbs("eval ae4.h5 --split train --json", dir.path);
  BOOST_TEST(json_number(on_train.out, "pca_squared_error_per_image") < 1e-10, on_train.out);
}

BOOST_FIXTURE_TEST_CASE(eval_has_no_pca_for_a_model_that_cannot_encode, Subspace) {
  train("16,8,3", "mlp.h5", "mlp");
  const Result json = run_gibbs("eval mlp.h5 --json", dir.path);
  BOOST_TEST(json.status == 0, json.err);
  BOOST_TEST(json.out.find("accuracy") != std::string::npos, json.out);
  BOOST_TEST(json.out.find("squared_error") == std::string::npos, json.out);
  BOOST_TEST(json.out.find("pca_") == std::string::npos, json.out);
  BOOST_TEST(run_gibbs("eval mlp.h5", dir.path).out.find("squared_error") == std::string::npos);
  // A code wider than the rows: PCA keeps every direction, and rebuilds the rows.
  train("16,20", "wide.h5");
  const Result wide = run_gibbs("eval wide.h5 --json", dir.path);
  BOOST_TEST(json_number(wide.out, "pca_components") == 16.0, wide.out);
  BOOST_TEST(json_number(wide.out, "pca_squared_error_per_image") < 1e-10, wide.out);
}

BOOST_FIXTURE_TEST_CASE(inspect_codes_draws_the_codes_beside_pca, Subspace) {
  train("16,8,2", "ae2.h5");
  const Result r = run_gibbs("inspect ae2.h5 --codes codes.png", dir.path);
  BOOST_REQUIRE_MESSAGE(r.status == 0, r.err);
  BOOST_TEST(r.err.empty(), r.err);
  BOOST_TEST(r.out ==
             "codes.png: the codes of 30 test rows under ae2.h5, beside their first two principal components\n");
  const Picture p = read_png(dir.path / "codes.png", PNG_FORMAT_RGB);
  BOOST_TEST(p.width == 1600u);
  BOOST_TEST(p.height == 800u);
  const Colours c = colours(p);
  for (const int half : {0, 1}) {  // every class in both panels, dots and legend
    BOOST_TEST(c.blue[half] > 300u, half << ": " << c.blue[half]);
    BOOST_TEST(c.orange[half] > 300u, half << ": " << c.orange[half]);
    BOOST_TEST(c.green[half] > 300u, half << ": " << c.green[half]);
  }
  // Without labels: every row in the first colour, no legend.
  const Result one = run_gibbs("inspect ae2.h5 --codes one.png --data unlabelled.h5", dir.path);
  BOOST_REQUIRE_MESSAGE(one.status == 0, one.err);
  const Colours u = colours(read_png(dir.path / "one.png", PNG_FORMAT_RGB));
  for (const int half : {0, 1}) {
    BOOST_TEST(u.blue[half] > 100u, half << ": " << u.blue[half]);
    BOOST_TEST(u.orange[half] + u.green[half] == 0u, half);
  }
}

BOOST_FIXTURE_TEST_CASE(inspect_codes_errors_leave_the_picture_alone, Subspace) {
  train("16,8,4", "ae4.h5");
  train("16,8,3", "mlp.h5", "mlp");
  fs::copy_file(dir.path / "subspace.h5", dir.path / "keep.png");  // stands for an earlier picture
  const std::string before = slurp(dir.path / "keep.png");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"inspect ae4.h5 --codes keep.png",
       "inspect: --codes draws codes of 2 values, and the autoencoder model in ae4.h5 gives 4 (train one with a code "
       "of 2, e.g. --layers ...,2)"},
      {"inspect mlp.h5 --codes keep.png",
       "inspect: --codes draws a model's codes, and the mlp model in mlp.h5 cannot encode"},
      {"inspect ae4.h5 --codes keep.png --json",
       "inspect: --curves, --filters, --boundary and --codes go without --json and --diff"},
      {"inspect ae4.h5 mlp.h5 --codes keep.png", "inspect: --codes draws one checkpoint"},
  };
  for (const auto& [args, message] : cases) {
    check_error(run_gibbs(args, dir.path), message, dir.path, "none.png");
    BOOST_TEST(slurp(dir.path / "keep.png") == before, args);
  }
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir.path)) names.push_back(entry.path().filename().string());
  BOOST_TEST(names.size() == 5u);  // the two datasets, two checkpoints and keep.png: no temporary left
}
