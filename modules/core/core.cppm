// gibbs.core: the types every other module speaks: matrices and views, errors, threads.
export module gibbs.core;
export import :error;
export import :matrix;
export import :threads;
