/* The gibbs plugin ABI: the one plain C header a model plugin and the engine share.
 * A plugin is libgibbs-<name>.so exporting gibbs_plugin_v1(), which returns a descriptor. */
#ifndef GIBBS_PLUGIN_H
#define GIBBS_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

/* The C edge is for discovery and versioning: the loader reads the descriptor before it
 * trusts anything else. The model behind create_model() is a C++ gibbs::Model (module
 * gibbs.plugin): plugins and the engine are built by the same compiler against the same
 * libgibbs. No exception crosses this edge: create_model() catches everything and returns
 * NULL with a message (gibbs::plugin_create<M> in gibbs.plugin does exactly that).
 * Compatibility: fields are only ever appended (the loader checks struct_size); any other
 * change bumps GIBBS_PLUGIN_ABI_VERSION and the entry symbol's suffix. */
#define GIBBS_PLUGIN_ABI_VERSION 1
#define GIBBS_PLUGIN_SYMBOL "gibbs_plugin_v1"
/* The C++ gibbs::Model interface (modules/plugin/model.cppm) create_model() returns: raised
 * whenever its virtual functions change. 2: initialize/restore take a Setup; log_partition.
 * 3: likelihood_domain_error, mean_free_energy. 4: stages, begin_stage. 5: gradient_size,
 * shard_gradient, apply_gradient, sharded_state (data-parallel training). 6: shard_slots,
 * Shard::slot (shards computed at once on threads). 7: training_multiply_adds_per_row (the
 * benchmarks' share of the FMA peak). */
#define GIBBS_MODEL_INTERFACE_VERSION 7

#ifdef __cplusplus
extern "C" {
#endif

/* One command-line option of the model: --<name>. type is "int", "float", "string" or
 * "flag"; default_value is its text ("64", "0.01", "cd", "false"), or NULL for none. */
typedef struct gibbs_plugin_option {
  const char* name;
  const char* type;
  const char* default_value;
  const char* help;
} gibbs_plugin_option;

/* What values an option accepts; a table parallel to the options, appended after the second
 * release. Bounds apply to int and float options (-HUGE_VAL and HUGE_VAL: none); choices to
 * string options ("bernoulli|gaussian"; NULL: any text). A required option has no default. */
#define GIBBS_OPTION_MINIMUM_EXCLUDED 1u
#define GIBBS_OPTION_MAXIMUM_EXCLUDED 2u
#define GIBBS_OPTION_REQUIRED 4u
/* The option shapes the model (its units, layers): a resumed run may not change it. */
#define GIBBS_OPTION_FIXED 8u
typedef struct gibbs_plugin_option_rule {
  double minimum;
  double maximum;
  uint32_t flags;
  const char* choices;
} gibbs_plugin_option_rule;

/* A subcommand the plugin adds to the CLI: `gibbs <name> ARGS...`. run() gets the words after
 * the name (argv[0] is the first of them; argc may be 0) and returns the exit status; on failure
 * it writes a one-line, NUL-terminated message of at most error_size bytes into error (the CLI
 * prints "gibbs: <message>"). It prints its own output and --help, and lets no exception out
 * (gibbs::plugin_command in gibbs.plugin does that). */
typedef struct gibbs_plugin_command {
  const char* name;
  const char* summary; /* one line */
  int (*run)(int argc, const char* const* argv, char* error, size_t error_size);
} gibbs_plugin_command;

typedef struct gibbs_plugin_descriptor {
  uint32_t struct_size; /* sizeof(gibbs_plugin_descriptor) as the plugin was built */
  uint32_t abi_version; /* GIBBS_PLUGIN_ABI_VERSION */
  const char* name;     /* must match the file: libgibbs-<name>.so */
  const char* version;
  const char* summary; /* one line */
  const gibbs_plugin_option* options;
  size_t option_count;
  /* A new model (a gibbs::Model*, as void*), or NULL after writing a NUL-terminated
   * message of at most error_size bytes into error. */
  void* (*create_model)(char* error, size_t error_size);
  void (*destroy_model)(void* model); /* NULL is a no-op */
  /* Appended after the first release; a descriptor whose struct_size ends before them has none. */
  const gibbs_plugin_command* commands;
  size_t command_count;
  /* Appended after the second release. option_rules: option_count entries, or NULL for none.
   * default_batch_size: the training driver's --batch-size default for this model (0: the
   * driver's own). A plugin of an earlier release declared batch-size among its options: the
   * loader takes that option's default instead. */
  const gibbs_plugin_option_rule* option_rules;
  uint64_t default_batch_size;
  /* GIBBS_MODEL_INTERFACE_VERSION as the plugin was built: the loader makes no model from a
   * plugin built against another gibbs::Model (or before this field), whose virtuals differ. */
  uint32_t model_interface;
} gibbs_plugin_descriptor;

typedef const gibbs_plugin_descriptor* (*gibbs_plugin_entry)(void);

#ifdef __cplusplus
}
#define GIBBS_PLUGIN_EXTERN_C extern "C"
#else
#define GIBBS_PLUGIN_EXTERN_C
#endif

/* Emits the entry symbol; `descriptor` is a gibbs_plugin_descriptor with static storage. */
#define GIBBS_PLUGIN(descriptor)                                                                                      \
  GIBBS_PLUGIN_EXTERN_C __attribute__((visibility("default"))) const gibbs_plugin_descriptor* gibbs_plugin_v1(void) { \
    return &(descriptor);                                                                                             \
  }

#endif /* GIBBS_PLUGIN_H */
