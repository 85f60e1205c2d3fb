/* Broken test plugins, one per set of compile definitions (see tests/CMakeLists.txt); the loader
 * must skip each with one clear line (all but testv1, a first-release descriptor without the
 * command table, and testv2, a second-release one without option rules, which load). Written in C: the ABI header must
 * be plain C. */
#include "modules/plugin/abi/gibbs_plugin.h"

#ifndef TEST_ABI_VERSION
#define TEST_ABI_VERSION GIBBS_PLUGIN_ABI_VERSION
#endif
#ifndef TEST_DECLARED_NAME /* the name in the descriptor; TEST_NAME is the file's */
#define TEST_DECLARED_NAME TEST_NAME
#endif
#ifndef TEST_STRUCT_SIZE
#define TEST_STRUCT_SIZE sizeof(gibbs_plugin_descriptor)
#endif

static void* create_model(char* error, size_t error_size) {
  (void)error;
  (void)error_size;
  return NULL;
}

static void destroy_model(void* model) { (void)model; }

#if defined(TEST_BAD_DEFAULT)
/* A default its own rule refuses. */
static const gibbs_plugin_option options[] = {{"rate", "float", "2", "learning rate"}};
static const gibbs_plugin_option_rule rules[] = {{0, 1, GIBBS_OPTION_MAXIMUM_EXCLUDED, NULL}};
#define OPTIONS options, 1
#define RULES rules
#elif defined(TEST_OPTIONS)
/* A plugin of the second release declared the driver's batch-size among its options. */
static const gibbs_plugin_option options[] = {
    {"rate", "float", "0.5", "learning rate"},
    {"batch-size", "int", "32", "rows per minibatch"},
};
#define OPTIONS options, 2
#else
#define OPTIONS NULL, 0
#endif
#ifndef RULES
#define RULES NULL
#endif

static const gibbs_plugin_descriptor descriptor = {TEST_STRUCT_SIZE,
                                                   TEST_ABI_VERSION,
                                                   TEST_DECLARED_NAME,
                                                   "0.0.1",
                                                   "a broken test plugin",
                                                   OPTIONS,
                                                   create_model,
                                                   destroy_model,
                                                   NULL,
                                                   0,
                                                   RULES,
                                                   0,
                                                   GIBBS_MODEL_INTERFACE_VERSION};

#ifdef TEST_NO_SYMBOL
/* The entry point under another name: not a gibbs plugin. */
__attribute__((visibility("default"))) const gibbs_plugin_descriptor* gibbs_plugin_v0(void) { return &descriptor; }
#else
GIBBS_PLUGIN(descriptor)
#endif
