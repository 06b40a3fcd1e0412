/*
 * lib/der/der_time.c - UTCTime / GeneralizedTime and the textual time forms
 * that real seal files carry (ses-format.md Q-TIME-1..4).
 */
#include <stdio.h>

#include "der/der.h"

int64_t es_time_from_fields(int y, int mo, int d, int h, int mi, int s)
{
    /* days from civil (Howard Hinnant's algorithm), proleptic Gregorian */
    y -= mo <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    return days * 86400 + h * 3600 + mi * 60 + s;
}

void es_time_format(int64_t t, char out[21])
{
    int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
    int64_t secs = t - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    char tmp[64];
    snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)((y % 10000 + 10000) % 10000),
             (int)m, (int)d, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    memcpy(out, tmp, 20);
    out[20] = '\0';
}

static bool digits(const uint8_t *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static bool fields_ok(int mo, int d, int h, int mi, int s)
{
    return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 60;
}

/* Parses the compact forms YYMMDDHHMM[SS] / YYYYMMDDHHMM[SS] [.fff] [Z|+hhmm|-hhmm]. */
static es_result parse_compact(const uint8_t *s, size_t n, bool four_digit_year,
                               long no_z_offset, int64_t *out, unsigned *quirks)
{
    size_t yl = four_digit_year ? 4 : 2;
    int y, mo, d, h, mi, sec = 0;
    ES_ENSURE(n >= yl + 8, ES_ERR_FORMAT_TIME);
    ES_ENSURE(digits(s, yl, &y) && digits(s + yl, 2, &mo) && digits(s + yl + 2, 2, &d) &&
                  digits(s + yl + 4, 2, &h) && digits(s + yl + 6, 2, &mi),
              ES_ERR_FORMAT_TIME);
    size_t i = yl + 8;
    if (i + 2 <= n && s[i] >= '0' && s[i] <= '9') {
        ES_ENSURE(digits(s + i, 2, &sec), ES_ERR_FORMAT_TIME);
        i += 2;
    }
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        i++;
        size_t st = i;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
        ES_ENSURE(i > st, ES_ERR_FORMAT_TIME);
        if (quirks) {
            *quirks |= ES_DQ_TIME_FRACTION;
        }
    }
    if (!four_digit_year) {
        y += y < 50 ? 2000 : 1900; /* RFC 5280 4.1.2.5.1 */
    }
    ES_ENSURE(fields_ok(mo, d, h, mi, sec), ES_ERR_FORMAT_TIME);
    int64_t t = es_time_from_fields(y, mo, d, h, mi, sec);
    if (i == n) {
        if (quirks) {
            *quirks |= ES_DQ_TIME_NO_Z;
        }
        t -= no_z_offset;
    } else if (s[i] == 'Z' && i + 1 == n) {
        /* UTC */
    } else if ((s[i] == '+' || s[i] == '-') && n - i == 5) {
        int oh, om;
        ES_ENSURE(digits(s + i + 1, 2, &oh) && digits(s + i + 3, 2, &om), ES_ERR_FORMAT_TIME);
        int64_t off = oh * 3600 + om * 60;
        t -= s[i] == '+' ? off : -off;
    } else {
        ES_BAIL(ES_ERR_FORMAT_TIME);
    }
    *out = t;
    return ES_RESULT_OK;
}

es_result es_time_parse_text(const uint8_t *s, size_t n, long no_z_offset, int64_t *out,
                             unsigned *quirks)
{
    /* ISO 8601 "YYYY-MM-DDTHH:MM:SS[.fff][Z]" or "YYYY-MM-DD HH:MM:SS" (Q-TIME-3) */
    if (n >= 19 && s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ') &&
        s[13] == ':' && s[16] == ':') {
        int y, mo, d, h, mi, sec;
        ES_ENSURE(digits(s, 4, &y) && digits(s + 5, 2, &mo) && digits(s + 8, 2, &d) &&
                      digits(s + 11, 2, &h) && digits(s + 14, 2, &mi) && digits(s + 17, 2, &sec),
                  ES_ERR_FORMAT_TIME);
        ES_ENSURE(fields_ok(mo, d, h, mi, sec), ES_ERR_FORMAT_TIME);
        int64_t t = es_time_from_fields(y, mo, d, h, mi, sec);
        size_t i = 19;
        if (i < n && s[i] == '.') {
            i++;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                i++;
            }
        }
        if (i < n && s[i] == 'Z' && i + 1 == n) {
            *out = t;
            return ES_RESULT_OK;
        }
        ES_ENSURE(i == n, ES_ERR_FORMAT_TIME);
        if (quirks) {
            *quirks |= ES_DQ_TIME_NO_Z;
        }
        *out = t - no_z_offset;
        return ES_RESULT_OK;
    }
    /* compact: 14 digits (GeneralizedTime) or 12 (UTCTime) before the zone */
    size_t nd = 0;
    while (nd < n && s[nd] >= '0' && s[nd] <= '9') {
        nd++;
    }
    if (nd >= 14) {
        return parse_compact(s, n, true, no_z_offset, out, quirks);
    }
    return parse_compact(s, n, false, no_z_offset, out, quirks);
}

es_result es_der_get_time(const struct es_der_elem *e, long no_z_offset, int64_t *out,
                          unsigned *quirks)
{
    es_result r;
    if (e->id == ES_DER_UTC_TIME) {
        r = parse_compact(e->val, e->val_len, false, no_z_offset, out, quirks);
    } else if (e->id == ES_DER_GENERALIZED_TIME) {
        size_t nd = 0;
        while (nd < e->val_len && e->val[nd] >= '0' && e->val[nd] <= '9') {
            nd++;
        }
        if (nd == 12) {
            /* Q-TIME-2: a UTCTime string inside a GeneralizedTime tag */
            if (quirks) {
                *quirks |= ES_DQ_TIME_12_DIGITS;
            }
            r = parse_compact(e->val, e->val_len, false, no_z_offset, out, quirks);
        } else {
            r = parse_compact(e->val, e->val_len, true, no_z_offset, out, quirks);
        }
    } else {
        ES_BAIL_MSG(ES_ERR_FORMAT_TAG, "expected a time at offset %zu, found tag 0x%02x", e->off,
                    e->id);
    }
    if (es_is_err(r)) {
        ES_BAIL_MSG(ES_ERR_FORMAT_TIME, "invalid time value '%.*s' at offset %zu",
                    (int)(e->val_len > 40 ? 40 : e->val_len), (const char *)e->val, e->off);
    }
    return r;
}
