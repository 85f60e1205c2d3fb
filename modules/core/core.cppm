// gibbs.core: the types every other module speaks: matrices and views, errors, threads and the
// callables handed to them, the memory budget and the shared-library wrapper.
export module gibbs.core;
export import :error;
export import :function_ref;
export import :matrix;
export import :memory;
export import :threads;
export import :shared_library;
