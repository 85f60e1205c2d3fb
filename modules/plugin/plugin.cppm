// gibbs.plugin: the Model interface, loading one plugin library (dlopen, a checked descriptor)
// and discovering plugins along a search path. The C edge is abi/gibbs_plugin.h.
export module gibbs.plugin;
export import :options;
export import :model;
export import :library;
export import :discovery;
