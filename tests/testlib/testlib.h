/*
 * tests/testlib/testlib.h - helpers for the cmocka unit tests: reading
 * fixtures, the shared corpus, hex, and a temporary directory.
 */
#ifndef ES_TESTLIB_H
#define ES_TESTLIB_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/base.h"
#include "eseal/eseal.h"

/* Reads a file fully; fails the test if it cannot. Free with es_free. */
uint8_t *t_read_file(const char *path, size_t *out_len);
/* Path of a file of ../shared/testdata, or NULL (test skipped) if absent. */
const char *t_testdata(const char *rel);
/* Decodes hex (whitespace ignored) into out; returns the byte count. */
size_t t_unhex(const char *hex, uint8_t *out, size_t cap);
/* A fresh temporary directory for this process (removed at exit). */
const char *t_tmpdir(void);
/* Creates (once per process) a throwaway PKI in t_tmpdir()/pki, passphrase "test". */
const char *t_pki(void);
/* Loads "maker", "owner" or "root-ca" of t_pki(). */
void t_load_identity(const char *who, es_key **k, es_cert **c);
/* A v4 seal for `owner`, made by (mk, mc), valid [start, end]. Owned. */
uint8_t *t_make_seal(const es_key *mk, const es_cert *mc, const es_cert *owner, int64_t start,
                     int64_t end, size_t *out_len);

/* Allocation-failure runs (curl's -t, SQLite's faultsim). Between
 * t_faultsim_begin and t_faultsim_end the library allocates through a hook;
 * t_faultsim runs `op` to count its allocations, then again failing each in
 * turn: every run must return ES_OK or an error code (no crash; leaks show
 * under LeakSanitizer). t_faultsim_pause stops failing until the next run
 * (to check a result without faults). */
void t_faultsim_begin(void);
void t_faultsim_end(void);
void t_faultsim_pause(void);
void t_faultsim(int (*op)(void), const char *name);

#endif
