// gibbs.linalg: linear algebra beyond the GEMM, in double precision: the mean and covariance of a
// matrix's rows, the largest eigenpairs of a symmetric matrix (LAPACK), and PCA on them.
export module gibbs.linalg;
export import :covariance;
export import :eigen;
export import :pca;
