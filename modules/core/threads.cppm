// The process-wide worker count, set once (e.g. from --threads) through oneTBB, and work cut
// into groups of rows that each stay on one thread.
module;
#include <cstddef>
export module gibbs.core:threads;
import :function_ref;

export namespace gibbs {

// Limits parallel work to `count` threads; 0 means one per core. Later calls replace
// earlier ones. Results never depend on this number, only speed does.
void set_thread_count(int count);

// The number of threads parallel work may use now: 1 inside an arena of one thread (where
// for_row_groups and data-parallel shards run their work).
int thread_count();

// A callable body(begin, end), for the parallel loops here and in gibbs.nn.
using RangeBody = FunctionRef<void(std::size_t, std::size_t)>;

// Runs body(begin, end) over [0, rows) cut into consecutive groups, one per thread when each
// gets at least min_rows rows, each group on one thread from end to end: parallel work inside
// body then runs serially on that thread, with no fork or join between its steps. With fewer
// rows, one call takes all rows and its parallel work uses every thread. For work whose rows
// are independent (Gibbs chains): how the rows are grouped must not change what body computes.
void for_row_groups(std::size_t rows, std::size_t min_rows, RangeBody body);

// for_row_groups over the elements of a flat array for an elementwise pass, at least 16384 a
// thread. The same count and thread count give the same cut, each group mostly on the same
// thread: passes one after another over the same array (the sum of shards' gradients, then the
// optimiser's update) find their elements in the cache of the thread that last wrote them.
void for_element_groups(std::size_t elements, RangeBody body);

// Runs body(t, t + 1) for every t in [0, count), tasks that do not depend on one another, in
// parallel, each on one thread from end to end (parallel work inside a task runs serially on its
// thread, as in for_row_groups), the next task to whichever thread is free (a single task runs on
// the calling thread, its parallel work on every thread). The tasks are the
// caller's and so is what each computes: the thread count changes only which thread runs which.
void for_serial_tasks(std::size_t count, RangeBody body);

// The number of cores this process may run on.
int hardware_threads();

}  // namespace gibbs
