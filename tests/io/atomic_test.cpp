// gibbs.io:atomic — what an output may replace (issue 14): regular files and new names only, a
// link's target through the link; the inputs of a command once protected; stale temporary files
// of dead writers removed, never a live writer's; text outputs to standard output.
#define BOOST_TEST_MODULE atomic
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
import gibbs.core;
import gibbs.io;

namespace fs = std::filesystem;
namespace io = gibbs::io;
using gibbs::test::slurp;
using gibbs::test::TempDir;

namespace {

// The one line an output is refused with.
std::string refusal(const fs::path& path) {
  try {
    io::AtomicFile file(path);
  } catch (const gibbs::IoError& e) {
    return e.what();
  }
  return "(accepted)";
}

void write(const fs::path& file, const std::string& text) { std::ofstream(file, std::ios::binary) << text; }

void write_atomically(const fs::path& target, const std::string& text) {
  io::AtomicFile file(target);
  write(file.temporary(), text);
  file.commit();
}

std::vector<std::string> names(const fs::path& folder) {
  std::vector<std::string> all;
  for (const auto& e : fs::directory_iterator(folder)) all.push_back(e.path().filename().string());
  std::ranges::sort(all);
  return all;
}

// A pid that was a process and is none now (reaped).
pid_t dead_pid() {
  const pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  return child;
}

}  // namespace

BOOST_AUTO_TEST_CASE(only_regular_files_and_new_names_are_outputs) {
  TempDir dir;
  const fs::path d = dir.path;
  fs::create_directory(d / "folder");
  ::mkfifo((d / "fifo").c_str(), 0644);
  fs::create_symlink("missing.h5", d / "dangling");
  fs::create_symlink("fifo", d / "to-fifo");
  fs::create_symlink("loop-b", d / "loop-a");
  fs::create_symlink("loop-a", d / "loop-b");
  const int sock = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = (d / "socket").string();
  std::strncpy(address.sun_path, socket_path.c_str(), sizeof address.sun_path - 1);
  BOOST_REQUIRE(::bind(sock, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0);
  const std::string only = "; outputs are written to regular files only";
  BOOST_TEST(refusal(d / "folder") == (d / "folder").string() + ": is a directory" + only);
  BOOST_TEST(refusal(d / "fifo") == (d / "fifo").string() + ": is a FIFO" + only);
  BOOST_TEST(refusal(d / "socket") == socket_path + ": is a socket" + only);
  BOOST_TEST(refusal("/dev/null") == "/dev/null: is a character device" + only);
  BOOST_TEST(refusal(d / "dangling") ==
             (d / "dangling").string() + ": is a symbolic link to missing.h5, which does not exist");
  BOOST_TEST(refusal(d / "to-fifo") ==
             (d / "to-fifo").string() + ": is a symbolic link to " + (d / "fifo").string() + ", a FIFO" + only);
  BOOST_TEST(refusal(d / "loop-a") ==
             (d / "loop-a").string() + ": cannot follow the symbolic link: Too many levels of symbolic links");
  for (const char* stream : {"-", "/dev/stdout", "/dev/stderr", "/dev/fd/1", "/proc/self/fd/1"})
    BOOST_TEST(refusal(stream) == std::string(stream) +
                                      ": is a standard stream; only a text output (predict -o) can go to "
                                      "standard output");
  BOOST_TEST(refusal(d / "no" / "x.h5") ==
             (d / "no" / "x.h5").string() + ": cannot write: folder '" + (d / "no").string() + "' does not exist");
  // A link into /proc/self/fd/ to a pipe has no path to resolve to: the link's text is named.
  int pipe_ends[2];
  BOOST_REQUIRE(::pipe(pipe_ends) == 0);
  const std::string pipe_link = "/proc/self/fd/" + std::to_string(pipe_ends[1]);
  fs::create_symlink(pipe_link, d / "to-pipe");
  BOOST_TEST(refusal(d / "to-pipe") ==
             (d / "to-pipe").string() + ": is a symbolic link to " + pipe_link + ", a FIFO" + only);
  ::close(pipe_ends[0]);
  ::close(pipe_ends[1]);
  ::close(sock);
  // Nothing was created or replaced: no temporary file, the FIFO still a FIFO, no missing.h5.
  BOOST_TEST(names(d) == (std::vector<std::string>{"dangling", "fifo", "folder", "loop-a", "loop-b", "socket",
                                                   "to-fifo", "to-pipe"}),
             boost::test_tools::per_element());
  BOOST_TEST(fs::is_fifo(d / "fifo"));
  BOOST_TEST(fs::is_character_file("/dev/null"));
}

// Rule chosen: a link to a regular file replaces the file it names, atomically beside it, and
// stays a link (as `>` in a shell writes through it).
BOOST_AUTO_TEST_CASE(a_link_to_a_regular_file_replaces_that_file_and_stays_a_link) {
  TempDir dir;
  fs::create_directory(dir.path / "real");
  write(dir.path / "real" / "out.txt", "old");
  fs::create_symlink("real/out.txt", dir.path / "link.txt");
  io::AtomicFile file(dir.path / "link.txt");
  BOOST_TEST(file.temporary().parent_path() == fs::canonical(dir.path / "real"));
  write(file.temporary(), "new");
  file.commit();
  BOOST_TEST(fs::is_symlink(dir.path / "link.txt"));
  BOOST_TEST(slurp(dir.path / "real" / "out.txt") == "new");
  BOOST_TEST(names(dir.path / "real") == std::vector<std::string>{"out.txt"});
}

BOOST_AUTO_TEST_CASE(stale_temporaries_of_dead_writers_go_and_live_ones_stay) {
  TempDir dir;
  const fs::path target = dir.path / "c.h5";
  const auto temporary = [&](pid_t pid) { return target.string() + ".tmp-" + std::to_string(pid); };
  const pid_t dead = dead_pid(), locked_dead = dead_pid();
  write(temporary(dead), "stale");
  write(temporary(locked_dead), "a live gibbs of another pid namespace");
  // Its lock held as that gibbs would hold it.
  const int held = ::open(temporary(locked_dead).c_str(), O_RDWR | O_CLOEXEC);
  struct flock lock{};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  BOOST_REQUIRE(::fcntl(held, F_OFD_SETLK, &lock) == 0);
  // A live process's (its pid exists), and names that are no temporary file of c.h5.
  const pid_t live = fork();
  if (live == 0) {
    ::pause();
    _exit(0);
  }
  write(temporary(live), "live");
  for (const char* other : {"c.h5.tmp-", "c.h5.tmp-12x", "c.h5.tmp-0123", "c.h5.tmp--5", "d.h5.tmp-1"})
    write(dir.path / other, "kept");
  fs::create_directory(temporary(dead_pid()));  // a folder of that name is no file of ours

  write_atomically(target, "new");
  BOOST_TEST(!fs::exists(temporary(dead)));
  BOOST_TEST(slurp(temporary(locked_dead)) == "a live gibbs of another pid namespace");
  BOOST_TEST(slurp(temporary(live)) == "live");
  BOOST_TEST(names(dir.path).size() == 9u);

  ::close(held);
  ::kill(live, SIGKILL);
  waitpid(live, nullptr, 0);
  write_atomically(target, "newer");
  BOOST_TEST(!fs::exists(temporary(locked_dead)));
  BOOST_TEST(!fs::exists(temporary(live)));
  BOOST_TEST(names(dir.path).size() == 7u);
  BOOST_TEST(slurp(target) == "newer");
}

BOOST_AUTO_TEST_CASE(a_stale_temporary_of_our_own_pid_is_replaced_a_live_one_is_not) {
  TempDir dir;
  const fs::path target = dir.path / "out.h5";
  write(target.string() + ".tmp-" + std::to_string(getpid()), "left by a dead process that had our pid");
  write_atomically(target, "ok");
  BOOST_TEST(names(dir.path) == std::vector<std::string>{"out.h5"});
  // Two writes of one output at once in one process: the second is refused, the first goes on.
  io::AtomicFile first(target);
  const std::string refused = refusal(target);
  BOOST_TEST(refused ==
             target.string() + ": cannot create the temporary file " + first.temporary().string() + ": File exists");
  write(first.temporary(), "first");
  first.commit();
  BOOST_TEST(slurp(target) == "first");
}

BOOST_AUTO_TEST_CASE(text_outputs_go_to_standard_output_for_dash_and_dev_stdout) {
  BOOST_TEST(io::is_standard_output("-"));
  BOOST_TEST(io::is_standard_output("/dev/stdout"));
  BOOST_TEST(!io::is_standard_output("/dev/stderr"));
  BOOST_TEST(!io::is_standard_output("./-"));
  TempDir dir;
  {
    io::TextOutput out(dir.path / "a.csv");
    BOOST_TEST(!out.to_standard_output());
    std::fputs("x,y\n", out.stream());
    BOOST_TEST(!fs::exists(dir.path / "a.csv"));
    out.commit();
  }
  BOOST_TEST(slurp(dir.path / "a.csv") == "x,y\n");
  io::TextOutput out("-");
  BOOST_TEST(out.to_standard_output());
  BOOST_TEST(out.stream() == stdout);
  out.commit();
  BOOST_CHECK_THROW(io::TextOutput(dir.path / "fifo-less" / "a.csv"), gibbs::IoError);
}

// Last: protection lasts for the rest of the process.
BOOST_AUTO_TEST_CASE(a_protected_input_is_no_output_until_released) {
  TempDir dir;
  const fs::path input = dir.path / "in.txt";
  write(input, "input");
  fs::create_symlink("in.txt", dir.path / "alias.txt");
  BOOST_TEST(io::read_text_file(input) == "input");       // records it
  write_atomically(input, "replaced before protection");  // a library may save in place
  BOOST_TEST(io::read_text_file(input) == "replaced before protection");
  io::protect_inputs();
  BOOST_TEST(refusal(input) == input.string() + ": is an input of this command; write the output to another file");
  BOOST_TEST(refusal(dir.path / "alias.txt") == (dir.path / "alias.txt").string() + ": is the same file as " +
                                                    input.string() +
                                                    ", an input of this command; write the output to another file");
  BOOST_TEST(slurp(input) == "replaced before protection");
  io::release_input(input);
  write_atomically(input, "released");
  BOOST_TEST(slurp(input) == "released");
}
