# Libraries that libeseal links beyond OpenSSL. One line per subsystem.
# (ES_LIB_DEPS is consumed by lib/CMakeLists.txt.)
