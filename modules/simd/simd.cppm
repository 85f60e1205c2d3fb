// gibbs.simd: the hand-vectorised kernels (Highway), parallelised with oneTBB.
export module gibbs.simd;
export import :activation;
export import :gemm;
export import :targets;
export import :elementwise;
