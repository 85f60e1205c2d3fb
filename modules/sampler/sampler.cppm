// gibbs.sampler: restricted Boltzmann machines and their Gibbs chains — the parameters and
// conditionals, free energy and the per-epoch scores, CD-k / PCD-k training, free-running chains.
export module gibbs.sampler;
export import :rbm;
export import :scores;
export import :contrastive;
export import :chains;
export import :partition;
