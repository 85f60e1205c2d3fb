// The process-wide worker count, set once (e.g. from --threads) through oneTBB.
export module gibbs.core:threads;

export namespace gibbs {

// Limits parallel work to `count` threads; 0 means one per core. Later calls replace
// earlier ones. Results never depend on this number, only speed does.
void set_thread_count(int count);

// The number of threads parallel work may use now.
int thread_count();

// The number of cores this process may run on.
int hardware_threads();

}  // namespace gibbs
