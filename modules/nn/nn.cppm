// gibbs.nn: the layers, losses and optimisers that the feed-forward plugins (perceptron, MLP,
// CNN, autoencoder) share, a sequential Network over them and the --layers / --arch parsers.
export module gibbs.nn;
export import :shape;
export import :layer;
export import :dense;
export import :conv;
export import :pool;
export import :activation;
export import :spec;
export import :network;
export import :loss;
export import :optimizer;
export import :perceptron;
