/* lib/base/file_same.c - see file_same.h */
#include <sys/stat.h>

#include "base/file_same.h"

es_result es_file_check_distinct(const char *in_path, const char *out_path)
{
    struct stat a, b;
    if (stat(in_path, &a) == 0 && stat(out_path, &b) == 0) {
        ES_ENSURE_MSG(!(a.st_dev == b.st_dev && a.st_ino == b.st_ino), ES_ERR_USAGE_ARG,
                      "the output %s is the input: the input is never modified", out_path);
    }
    return ES_RESULT_OK;
}
