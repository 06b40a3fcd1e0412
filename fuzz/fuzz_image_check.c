/*
 * fuzz/fuzz_image_check.c - uploaded seal pictures of any type.
 * Target functions: es_image_check (PNG, JPEG, GIF, BMP, SVG, OFD sniffing
 * and decoding within limits).
 */
#include "eseal/eseal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *type = NULL;
    uint32_t w = 0, h = 0;
    (void)es_image_check(NULL, data, size, &type, &w, &h);
    return 0;
}
