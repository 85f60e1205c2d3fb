// The process-wide worker count, set once (e.g. from --threads) through oneTBB, and work cut
// into groups of rows that each stay on one thread.
module;
#include <cstddef>
#include <functional>
export module gibbs.core:threads;

export namespace gibbs {

// Limits parallel work to `count` threads; 0 means one per core. Later calls replace
// earlier ones. Results never depend on this number, only speed does.
void set_thread_count(int count);

// The number of threads parallel work may use now: 1 inside an arena of one thread (where
// for_row_groups and data-parallel shards run their work).
int thread_count();

// Runs body(begin, end) over [0, rows) cut into consecutive groups, one per thread when each
// gets at least min_rows rows, each group on one thread from end to end: parallel work inside
// body then runs serially on that thread, with no fork or join between its steps. With fewer
// rows, one call takes all rows and its parallel work uses every thread. For work whose rows
// are independent (Gibbs chains): how the rows are grouped must not change what body computes.
void for_row_groups(std::size_t rows, std::size_t min_rows,
                    const std::function<void(std::size_t begin, std::size_t end)>& body);

// The number of cores this process may run on.
int hardware_threads();

}  // namespace gibbs
