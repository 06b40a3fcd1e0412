# Libraries that libeseal links beyond OpenSSL. One line per subsystem.
# (ES_LIB_DEPS is consumed by lib/CMakeLists.txt.)
pkg_check_modules(ES_OFD REQUIRED IMPORTED_TARGET libxml-2.0 libzip zlib)
list(APPEND ES_LIB_DEPS PkgConfig::ES_OFD)
# lib/image: seal pictures (cairo + FreeType by path, libpng) and upload checks (libjpeg, giflib).
pkg_check_modules(ES_IMG REQUIRED IMPORTED_TARGET cairo freetype2 libpng libjpeg)
find_library(ES_GIF_LIB gif REQUIRED)
list(APPEND ES_LIB_DEPS PkgConfig::ES_IMG ${ES_GIF_LIB} m)
# lib/ts/ts_http.c: the RFC 3161 HTTP client (libcurl, optional: without it
# es_ts_http_stamp answers ES_ERR_CRYPTO_UNSUPPORTED).
pkg_check_modules(ES_CURL QUIET IMPORTED_TARGET libcurl)
if(ES_CURL_FOUND)
  list(APPEND ES_LIB_DEPS PkgConfig::ES_CURL)
  set_source_files_properties(${CMAKE_CURRENT_SOURCE_DIR}/ts/ts_http.c PROPERTIES
    COMPILE_DEFINITIONS ES_HAVE_CURL=1)
else()
  message(STATUS "libcurl not found: eseal cannot ask a TSA over HTTP")
endif()
# lib/sdoc, lib/trustlist, lib/tlog: signed JSON documents (jansson).
pkg_check_modules(ES_JSON REQUIRED IMPORTED_TARGET jansson)
list(APPEND ES_LIB_DEPS PkgConfig::ES_JSON)
# lib/doc/pdf: reading PDFs (qpdf's C API); the incremental writer is our own.
pkg_check_modules(ES_PDF REQUIRED IMPORTED_TARGET libqpdf)
list(APPEND ES_LIB_DEPS PkgConfig::ES_PDF)
