# Libraries that libeseal links beyond OpenSSL. One line per subsystem.
# (ES_LIB_DEPS is consumed by lib/CMakeLists.txt.)
pkg_check_modules(ES_OFD REQUIRED IMPORTED_TARGET libxml-2.0 libzip)
list(APPEND ES_LIB_DEPS PkgConfig::ES_OFD)
