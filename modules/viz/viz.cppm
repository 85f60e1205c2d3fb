// gibbs.viz: pictures of models and runs — greyscale tile mosaics written as PNG (filters,
// reconstructions, sample chains) and metric curves against epoch drawn with PLplot.
export module gibbs.viz;
export import :mosaic;
export import :plot;
