/*
 * lib/base/file_same.h - refusing to write a signed document over its input
 * (the signers of every format promise the input is never modified).
 */
#ifndef ES_FILE_SAME_H
#define ES_FILE_SAME_H

#include "base/base.h"

/* ES_ERR_USAGE_ARG "the output OUT is the input" when both paths name the
 * same file (same device and inode: a hard or symbolic link counts); OK when
 * they differ or the output does not exist yet. */
ES_RESULT es_file_check_distinct(const char *in_path, const char *out_path);

#endif
