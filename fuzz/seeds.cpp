// gibbs_fuzz_seeds DIR: writes the seed inputs of every fuzz target into DIR/<target>/seed-*:
// small valid files made by gibbs's own writers (a dataset, a checkpoint, IDX files raw and
// gzipped), the lying files of tests/io/bad_corpus.cpp, and well-formed option texts. The
// committed corpus under tests/fuzz_corpus/ started from them.
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "fuzz/entries.h"
#include "tests/io/bad_corpus.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
using namespace gibbs;

namespace {

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class Seeds {
 public:
  explicit Seeds(fs::path dir) : dir_(std::move(dir)) {}
  void add(const std::string& target, const std::string& bytes) {
    const fs::path folder = dir_ / target;
    fs::create_directories(folder);
    std::ofstream(folder / fmt::format("seed-{:02}", ++counts_[target]), std::ios::binary) << bytes;
  }

 private:
  fs::path dir_;
  std::map<std::string, int> counts_;
};

io::Checkpoint small_checkpoint() {
  io::Checkpoint c;
  c.model = "rbm";
  c.plugin_version = "0.1.0";
  c.seed = 7;
  c.config = {{"hidden", std::int64_t{3}}, {"lr", 0.01}, {"visible", std::string("bernoulli")}};
  c.params["W"] = {{2, 3}, {0.1f, -0.2f, 0.3f, 0.0f, 1.5f, -1.0f}};
  c.params["visible_bias"] = {{2}, {0.0f, 0.5f}};
  c.state["optimizer/m_W"] = {{2, 3}, std::vector<float>(6, 0.25f)};
  c.counters["driver/epoch"] = 3;
  c.history["reconstruction_mse"] = {0.5, 0.25, 0.125};
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: gibbs_fuzz_seeds DIR\n");
    return 2;
  }
  Seeds seeds(argv[1]);
  const fs::path scratch = fs::temp_directory_path() / fmt::format("gibbs-fuzz-seeds-{}", ::getpid());
  const std::vector<test::BadFile> bad = test::write_bad_corpus(scratch);

  seeds.add("idx", read_bytes(scratch / "good-images.idx"));
  seeds.add("idx", read_bytes(scratch / "good-labels.idx"));
  {
    const std::string raw = read_bytes(scratch / "good-images.idx");
    gzFile gz = gzopen((scratch / "good-images.idx.gz").c_str(), "wb");
    gzwrite(gz, raw.data(), static_cast<unsigned>(raw.size()));
    gzclose(gz);
    seeds.add("idx", read_bytes(scratch / "good-images.idx.gz"));
  }
  seeds.add("dataset", read_bytes(scratch / "good.h5"));
  for (const test::BadFile& b : bad) seeds.add(b.kind, read_bytes(scratch / b.name));
  io::save_checkpoint(small_checkpoint(), scratch / "small-checkpoint.h5");
  seeds.add("checkpoint", read_bytes(scratch / "small-checkpoint.h5"));
  fs::remove_all(scratch);

  using namespace std::string_literals;
  for (const std::string& csv : {"\x83x,y,label\n1,2,0\n3,4.5,1\n-1e3,0,7\n"s,
                                 "\x00"
                                 "1,2\n3,4\n"s,
                                 "\x01 1 ,\t2\r\n-3e2,4\r\n"s})
    seeds.add("csv", csv);
  for (const char* json : {R"({"data": [0.5, 1, 0]})", R"({"data": []})", " {\n \"data\" : [ 1e-3 , -2.5E+2 ] }\n"})
    seeds.add("json", json);
  for (const std::string& arch : {"\x00"
                                  "conv3x3:32,relu,maxpool2,flatten,dense:10"s,
                                  "\x01"
                                  "conv5x5:16:s2:p2,tanh,maxpool3:s2,flatten,dense:10,softmax"s,
                                  "\x02"
                                  "dense:128,relu,dense:10"s,
                                  "\x02 sigmoid , identity ,sign, dense:1"s})
    seeds.add("arch", arch);
  for (const std::string& layers : {"\x02"
                                    "784,128,10\nrelu\nsoftmax"s,
                                    "\x03"
                                    "1,1\ntanh"s,
                                    "\x04"
                                    "70,7,3\nsigmoid\n"s})
    seeds.add("layers", layers);
  for (const std::string& schedule : {"\x00"
                                      "0.5:5,0.9"s,
                                      "\x01"
                                      "0.01:80,0.001"s,
                                      "\x00"
                                      "none"s,
                                      "\x01"
                                      "0.1:1,0.05:2,0.01"s})
    seeds.add("schedule", schedule);
  seeds.add("dbn_layer", "784,500,2\nbernoulli\nauto\n1\nsample\nauto\n0.5:5,0.9\n0.0002\nnormal:0.1");
  seeds.add("dbn_layer",
            "784,1000,500,250,30\ngaussian\nbernoulli/bernoulli/bernoulli/gaussian\n1/2/3/4\nmean\n"
            "0.1/0.1/0.1/0.001\nnone\n0.0002\nuniform-glorot4");
  seeds.add("dbn_layer", "4,3");
  for (const char* units : {"0,1,5-9", "0-391", "7"}) seeds.add("clamp", units);
  seeds.add("plugin_file", read_bytes(GIBBS_FUZZ_PLUGIN).substr(0, 4096));  // its headers
  seeds.add("plugin_file", read_bytes(GIBBS_FUZZ_PLUGIN).substr(0, 64));
  seeds.add("plugin_descriptor", std::string(64, '\0'));
  seeds.add("plugin_descriptor", std::string(64, '\x01'));
  std::string counting;
  for (int i = 0; i < 256; ++i) counting += static_cast<char>(i);
  seeds.add("plugin_descriptor", counting);
  return 0;
}
