// gibbs.core: the types every other module speaks: matrices and views, errors, threads, and the
// shared-library wrapper.
export module gibbs.core;
export import :error;
export import :matrix;
export import :threads;
export import :shared_library;
