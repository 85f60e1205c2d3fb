# What `cmake --install` puts under the prefix (the layout declared in CMakeLists.txt), the CMake
# package that out-of-tree plugins find (lib/cmake/gibbs), and `cpack -G DEB`, a Debian package
# of the same installation. The model plugins install themselves (gibbs_add_plugin).
include(CMakePackageConfigHelpers)

# bin/gibbs finds libgibbs through a RUNPATH relative to itself: the prefix can be moved.
set_target_properties(gibbs_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${GIBBS_LIBRARY_FROM_BIN}")
install(TARGETS gibbs_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# libgibbs with the plugin SDK: the plain headers and the module interface units, which a plugin's
# build compiles again (a BMI is only good for the compiler and flags that made it), with the
# settings gibbs's own build compiled them with (the export's IMPORTED_CXX_MODULES_*). Those
# interfaces include only standard headers and the SDK's own, so what libgibbs links privately
# (Highway, oneTBB, HDF5, ...), its private definitions and the source tree stay the build's:
# wrapped in $<BUILD_INTERFACE:...>, they are left out of the export, and the interfaces find the
# SDK's headers under include/gibbs instead. Included after every target_link_libraries(gibbs ...).
foreach(property LINK_LIBRARIES COMPILE_DEFINITIONS INCLUDE_DIRECTORIES)
  get_target_property(values gibbs ${property})
  if(values)
    list(TRANSFORM values REPLACE "^(.+)$" "$<BUILD_INTERFACE:\\1>")
    set_property(TARGET gibbs PROPERTY ${property} ${values})
  endif()
endforeach()
target_include_directories(gibbs PRIVATE $<INSTALL_INTERFACE:${GIBBS_INCLUDE_INSTALL_DIR}>)
install(TARGETS gibbs EXPORT gibbsTargets
  LIBRARY DESTINATION ${GIBBS_LIBRARY_INSTALL_DIR}
  FILE_SET HEADERS DESTINATION ${GIBBS_INCLUDE_INSTALL_DIR}
  FILE_SET CXX_MODULES DESTINATION ${GIBBS_INCLUDE_INSTALL_DIR}/modules)
install(EXPORT gibbsTargets NAMESPACE gibbs:: DESTINATION ${GIBBS_PACKAGE_INSTALL_DIR}
  CXX_MODULES_DIRECTORY cxx-modules)

configure_package_config_file(cmake/gibbsConfig.cmake.in ${PROJECT_BINARY_DIR}/package/gibbsConfig.cmake
  INSTALL_DESTINATION ${GIBBS_PACKAGE_INSTALL_DIR})
# A plugin compiles against gibbs's C++ interface, which may change in any minor release.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/gibbsConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/gibbsConfig.cmake ${PROJECT_BINARY_DIR}/package/gibbsConfigVersion.cmake
  cmake/gibbs_add_plugin.cmake DESTINATION ${GIBBS_PACKAGE_INSTALL_DIR})

# cpack -G DEB: one package, the program, its plugins and the SDK, installed under /usr. Its
# dependencies are the Debian runtime libraries dpkg-shlibdeps (dpkg-dev) finds in the binaries,
# and what is loaded at run time: LAPACK (gibbs.linalg's PCA dlopens liblapack.so.3) and PLplot's
# cairo driver (gibbs's plots). The benchmark peers (oneDNN, OpenBLAS) are only suggested.
set(CPACK_PACKAGE_NAME gibbs)
set(CPACK_PACKAGE_VENDOR gibbs)
set(CPACK_PACKAGE_CONTACT "gibbs developers <gibbs@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Trains and studies restricted Boltzmann machines and classic neural networks")
set(CPACK_PACKAGE_DESCRIPTION "gibbs is a C++20 engine for restricted Boltzmann machines, the perceptron, \
MLPs, CNNs and autoencoders on a CPU, with the gibbs command line, its model plugins, and the headers \
and CMake package to build more plugins (with clang 19, CMake 3.28 or later and Ninja).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION science)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${PROJECT_BINARY_DIR}/${GIBBS_LIBRARY_INSTALL_DIR})
set(CPACK_DEBIAN_PACKAGE_DEPENDS "liblapack3, plplot-driver-cairo")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "clang-19, clang-tools-19, ninja-build, libdnnl2, libopenblas0-pthread")
include(CPack)
