// gibbs.io: HDF5 storage (a checked RAII layer, the dataset and checkpoint stores) and
// importers. Every file error is a gibbs::IoError or gibbs::FormatError naming the file.
export module gibbs.io;
export import :hdf5;
export import :atomic;
export import :dataset;
export import :checkpoint;
export import :idx;
export import :text;
export import :table;
