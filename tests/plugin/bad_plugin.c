/* Broken test plugins, one per set of compile definitions (see tests/CMakeLists.txt); the loader
 * must skip each with one clear line (all but testv1, a first-release descriptor without the
 * command table, which loads). Written in C: the ABI header must be plain C. */
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

static const gibbs_plugin_descriptor descriptor = {
    TEST_STRUCT_SIZE, TEST_ABI_VERSION, TEST_DECLARED_NAME, "0.0.1", "a broken test plugin", NULL, 0,
    create_model, destroy_model, NULL, 0};

#ifdef TEST_NO_SYMBOL
/* The entry point under another name: not a gibbs plugin. */
__attribute__((visibility("default"))) const gibbs_plugin_descriptor* gibbs_plugin_v0(void) {
  return &descriptor;
}
#else
GIBBS_PLUGIN(descriptor)
#endif
