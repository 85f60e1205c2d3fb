# gibbs_add_plugin(<name> SOURCES <files>... [NO_INSTALL]): a model plugin, the MODULE library
# libgibbs-<name>.so (target gibbs-<name>), linked to gibbs::gibbs, installed into
# <prefix>/${GIBBS_PLUGIN_INSTALL_DIR}, the folder the installed gibbs searches. gibbs's own plugins
# and plugins built out of tree against the installed package (gibbsConfig.cmake) use the same function.
# GIBBS_PLUGIN_INSTALL_DIR and GIBBS_LIBRARY_INSTALL_DIR are relative to the prefix; in gibbs's
# own tree GIBBS_PLUGIN_OUTPUT_DIRECTORY puts the library where build/<preset>/bin/gibbs looks.
function(gibbs_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NO_INSTALL" "" "SOURCES")
  if(NOT arg_SOURCES OR arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: gibbs_add_plugin(<name> SOURCES <files>... [NO_INSTALL])")
  endif()
  set(target gibbs-${name})
  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE gibbs::gibbs)
  target_compile_features(${target} PRIVATE cxx_std_20)
  # Installed, the plugin finds libgibbs from its own folder, wherever the prefix has moved.
  file(RELATIVE_PATH to_library "/${GIBBS_PLUGIN_INSTALL_DIR}" "/${GIBBS_LIBRARY_INSTALL_DIR}")
  string(REGEX REPLACE "/$" "" to_library "${to_library}")
  set_target_properties(${target} PROPERTIES CXX_SCAN_FOR_MODULES ON CXX_EXTENSIONS OFF
    INSTALL_RPATH "$ORIGIN/${to_library}")
  if(DEFINED GIBBS_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${GIBBS_PLUGIN_OUTPUT_DIRECTORY})
  endif()
  if(NOT arg_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION ${GIBBS_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
