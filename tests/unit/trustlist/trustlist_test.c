/*
 * tests/unit/trustlist/trustlist_test.c - trust lists (eseal/trustlist.h):
 * signed and checked; status history answered at any time; a list signed by
 * an untrusted key, a changed list, a broken or forged rotation chain are
 * refused with ES_ERR_CRYPTO_SIGNATURE; a stale list is marked; malformed
 * content is refused naming the field.
 */
#include "testlib.h"

#include <jansson.h>
#include <stdio.h>

#include "der/der.h"
#include "sdoc/sdoc_int.h"
#include "trustlist/trustlist_int.h"

static es_key *k_maker, *k_owner, *k_root;
static es_cert *c_maker, *c_owner, *c_root;

#define T0 1800000000 /* 2027-01-15 */

static char *b64_cert(const es_cert *c)
{
    char *s = NULL;
    assert_true(es_is_ok(es_b64_encode(es_cert_der(c).ptr, es_cert_der(c).len, &s)));
    return s;
}

/* Content: the maker recognised from T0-1000, withdrawn at T0; the root CA
 * recognised from T0-1000; a platform. Issued T0-2000, next update T0+1000. */
static json_t *content(void)
{
    char *m = b64_cert(c_maker), *r = b64_cert(c_root), *o = b64_cert(c_owner);
    json_t *j = json_pack(
        "{s:s,s:I,s:s,s:s,s:[{s:s,s:s,s:s,s:[{s:s,s:I},{s:s,s:I}]},"
        "{s:s,s:s,s:s,s:[{s:s,s:I}]},{s:s,s:s,s:s,s:s,s:s,s:[{s:s,s:I}]}]}",
        "region", "CN-11", "seq", (json_int_t)7, "issued", "2027-01-15T07:26:40Z", /* T0-2000 */
        "next_update", "2027-01-15T08:16:40Z",                                      /* T0+1000 */
        "entries", "kind", "maker", "name", "Maker A", "cert", m, "history", "status",
        "recognised", "from", (json_int_t)(T0 - 1000), "status", "withdrawn", "from",
        (json_int_t)T0, "kind", "ca", "name", "Root CA", "cert", r, "history", "status",
        "recognised", "from", (json_int_t)(T0 - 1000), "kind", "platform", "name", "Node B",
        "cert", o, "node", "cn-11", "url", "https://b.example/api/v1", "history", "status",
        "recognised", "from", (json_int_t)(T0 - 1000));
    assert_non_null(j);
    es_free(m);
    es_free(r);
    es_free(o);
    return j;
}

static char *sign_json(const json_t *c, const es_key *k, const es_cert *cert, const es_key *pk,
                       const es_cert *pc, int expect)
{
    char *t = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = NULL;
    size_t n;
    es_ctx *ctx = es_ctx_new();
    int rc = es_trustlist_sign(ctx, t, strlen(t), k, cert, pk, pc, T0 - 1500, &out, &n);
    if (rc != expect) {
        fail_msg("es_trustlist_sign: %d (%s), wanted %d", rc, es_ctx_errmsg(ctx), expect);
    }
    es_ctx_free(ctx);
    free(t);
    return out;
}

static int check(const char *doc, const es_cert *const *signers, size_t n, int64_t now,
                 es_trustlist **out, const char *msg_part)
{
    es_ctx *ctx = es_ctx_new();
    es_trustlist *tl = NULL;
    int rc = es_trustlist_verify(ctx, (const uint8_t *)doc, strlen(doc), signers, n, now, &tl);
    if (rc != ES_OK && msg_part && !strstr(es_ctx_errmsg(ctx), msg_part)) {
        fail_msg("message \"%s\" lacks \"%s\"", es_ctx_errmsg(ctx), msg_part);
    }
    if (out) {
        *out = tl;
    } else {
        es_trustlist_free(tl);
    }
    es_ctx_free(ctx);
    return rc;
}

static void test_sign_and_read(void **state)
{
    (void)state;
    json_t *c = content();
    char *doc = sign_json(c, k_maker, c_maker, NULL, NULL, ES_OK);
    const es_cert *signers[] = {c_maker};
    es_trustlist *tl = NULL;
    assert_int_equal(check(doc, signers, 1, T0, &tl, NULL), ES_OK);
    assert_true(es_trustlist_verified(tl));
    assert_false(es_trustlist_is_stale(tl));
    assert_string_equal(es_trustlist_region(tl), "CN-11");
    assert_int_equal(es_trustlist_seq(tl), 7);
    assert_int_equal(es_trustlist_issued(tl), T0 - 2000);
    assert_int_equal(es_trustlist_next_update(tl), T0 + 1000);
    assert_int_equal(es_trustlist_rotations(tl), 0);
    assert_int_equal(es_trustlist_count(tl), 3);
    es_tl_kind k;
    const char *name, *node, *url;
    const es_cert *cert;
    assert_int_equal(es_trustlist_entry(tl, 2, &k, &name, &cert, &node, &url), ES_OK);
    assert_int_equal(k, ES_TL_PLATFORM);
    assert_string_equal(node, "cn-11");
    assert_string_equal(url, "https://b.example/api/v1");
    assert_int_equal(es_trustlist_entry(tl, 3, &k, &name, &cert, &node, &url), ES_ERR_USAGE_ARG);
    assert_int_equal(es_trustlist_history_count(tl, 0), 2);
    es_tl_status st;
    int64_t from;
    assert_int_equal(es_trustlist_history(tl, 0, 1, &st, &from), ES_OK);
    assert_int_equal(st, ES_TL_WITHDRAWN);
    assert_int_equal(from, T0);

    /* status history at every kind of time */
    int64_t since;
    size_t idx;
    assert_int_equal(es_trustlist_status_at(tl, ES_TL_MAKER, c_maker, 0, T0 - 5000, &since, &idx),
                     ES_TL_NOT_YET);
    assert_int_equal(since, T0 - 1000);
    assert_int_equal(es_trustlist_status_at(tl, ES_TL_MAKER, c_maker, 0, T0 - 1000, &since, &idx),
                     ES_TL_RECOGNISED);
    assert_int_equal(es_trustlist_status_at(tl, ES_TL_MAKER, c_maker, 0, T0 - 1, NULL, NULL),
                     ES_TL_RECOGNISED);
    assert_int_equal(es_trustlist_status_at(tl, ES_TL_MAKER, c_maker, 0, T0, &since, &idx),
                     ES_TL_WITHDRAWN);
    assert_int_equal(since, T0);
    assert_int_equal(idx, 0);
    assert_int_equal(es_trustlist_status_at(tl, ES_TL_MAKER, c_owner, 0, T0, NULL, NULL),
                     ES_TL_NOT_LISTED);
    /* the CA that issued the maker certificate */
    assert_int_equal(es_trustlist_status_at(tl, ES_TL_CA, c_maker, 1, T0, NULL, &idx),
                     ES_TL_RECOGNISED);
    assert_int_equal(idx, 1);
    assert_int_equal(es_trustlist_status_at(tl, ES_TL_TSA, c_maker, 0, T0, NULL, NULL),
                     ES_TL_NOT_LISTED);
    assert_int_equal(es_trustlist_find_platform(tl, es_cert_serial_hex(c_owner)), 2);
    assert_int_equal(es_trustlist_find_platform(tl, es_cert_serial_hex(c_root)), -1);
    /* ca + maker become trust material; the platform does not */
    es_trust *tr = NULL;
    assert_int_equal(es_trust_new(NULL, &tr), ES_OK);
    assert_int_equal(es_trustlist_add_to_trust(NULL, tl, tr), ES_OK);
    assert_int_equal(es_trust_count(tr), 2);
    es_trust_free(tr);
    es_trustlist_free(tl);

    /* stale after next_update */
    assert_int_equal(check(doc, signers, 1, T0 + 1001, &tl, NULL), ES_OK);
    assert_true(es_trustlist_is_stale(tl));
    es_trustlist_free(tl);
    assert_string_equal(es_tl_kind_name(ES_TL_CA), "ca");
    assert_string_equal(es_tl_status_name(ES_TL_WITHDRAWN), "withdrawn");
    free(doc);
    json_decref(c);
}

static void test_refused_signatures(void **state)
{
    (void)state;
    json_t *c = content();
    char *doc = sign_json(c, k_maker, c_maker, NULL, NULL, ES_OK);
    /* the reader trusts another signer */
    const es_cert *other[] = {c_owner};
    assert_int_equal(check(doc, other, 1, T0, NULL, "not a trusted list signer"),
                     ES_ERR_CRYPTO_SIGNATURE);
    /* no signer at all */
    assert_int_equal(check(doc, other, 0, T0, NULL, NULL), ES_ERR_USAGE_ARG);
    /* a withdrawal removed from the signed bytes */
    json_t *env = json_loads(doc, 0, NULL);
    json_t *cont = json_deep_copy(json_object_get(env, "content"));
    json_array_remove(json_object_get(json_array_get(json_object_get(cont, "entries"), 0),
                                      "history"),
                      1);
    char *t = json_dumps(cont, JSON_COMPACT | JSON_SORT_KEYS);
    char *t64 = NULL;
    assert_true(es_is_ok(es_b64_encode((const uint8_t *)t, strlen(t), &t64)));
    json_object_set_new(env, "tbs", json_string(t64));
    json_object_set(env, "content", cont);
    char *forged = json_dumps(env, JSON_COMPACT);
    const es_cert *signers[] = {c_maker};
    assert_int_equal(check(forged, signers, 1, T0, NULL, "does not verify"),
                     ES_ERR_CRYPTO_SIGNATURE);
    /* inspection reads it, but never calls it verified */
    es_trustlist *tl = NULL;
    assert_int_equal(es_trustlist_read(NULL, (const uint8_t *)forged, strlen(forged), T0, &tl),
                     ES_OK);
    assert_false(es_trustlist_verified(tl));
    assert_non_null(es_trustlist_signer(tl));
    es_trustlist_free(tl);
    free(forged);
    free(t);
    es_free(t64);
    json_decref(cont);
    json_decref(env);
    free(doc);
    json_decref(c);
}

static void test_rotation(void **state)
{
    (void)state;
    json_t *c = content();
    /* maker's key hands over to owner's */
    char *d1 = sign_json(c, k_owner, c_owner, k_maker, c_maker, ES_OK);
    const es_cert *old[] = {c_maker};
    const es_cert *mid[] = {c_owner};
    const es_cert *last[] = {c_root};
    es_trustlist *tl = NULL;
    assert_int_equal(check(d1, old, 1, T0, &tl, NULL), ES_OK);
    assert_int_equal(es_trustlist_rotations(tl), 1);
    assert_memory_equal(es_cert_der(es_trustlist_signer(tl)).ptr, es_cert_der(c_owner).ptr,
                        es_cert_der(c_owner).len);
    es_trustlist_free(tl);
    assert_int_equal(check(d1, mid, 1, T0, &tl, NULL), ES_OK);
    assert_int_equal(es_trustlist_rotations(tl), 0);
    es_trustlist_free(tl);

    /* and on to root's: the next list carries both statements */
    json_t *env = json_loads(d1, 0, NULL);
    json_t *c2 = json_deep_copy(json_object_get(env, "content"));
    json_object_set_new(c2, "seq", json_integer(8));
    char *d2 = sign_json(c2, k_root, c_root, k_owner, c_owner, ES_OK);
    assert_int_equal(check(d2, old, 1, T0, &tl, NULL), ES_OK);
    assert_int_equal(es_trustlist_rotations(tl), 2);
    es_trustlist_free(tl);
    /* a reader who already follows the owner key starts mid-chain */
    assert_int_equal(check(d2, mid, 1, T0, &tl, NULL), ES_OK);
    assert_int_equal(es_trustlist_rotations(tl), 1);
    es_trustlist_free(tl);
    assert_int_equal(check(d2, last, 1, T0, NULL, NULL), ES_OK);

    /* a chain that starts nowhere the reader trusts: root -> owner */
    char *d3 = sign_json(c, k_owner, c_owner, k_root, c_root, ES_OK);
    assert_int_equal(check(d3, old, 1, T0, NULL, "does not start at a trusted"),
                     ES_ERR_CRYPTO_SIGNATURE);

    /* a forged statement: maker -> root, but signed by root */
    json_t *e2 = json_loads(d2, 0, NULL);
    json_t *rot = json_object_get(json_object_get(e2, "content"), "rotation");
    json_t *stmt_owner_root = json_array_get(rot, 1); /* owner -> root, signed by owner */
    json_t *sc = json_deep_copy(json_object_get(stmt_owner_root, "content"));
    char from[65];
    es_tl_cert_id(c_maker, from);
    json_object_set_new(sc, "from", json_string(from)); /* claims to hand over from maker */
    char *sct = json_dumps(sc, JSON_COMPACT | JSON_SORT_KEYS);
    char *fenv = NULL;
    size_t fl;
    assert_int_equal(es_sdoc_sign(NULL, k_root, c_root, sct, strlen(sct), &fenv, &fl), ES_OK);
    json_t *c4 = json_deep_copy(c);
    json_t *r4 = json_array();
    json_array_append_new(r4, json_loads(fenv, 0, NULL));
    json_object_set_new(c4, "rotation", r4);
    char *d4 = sign_json(c4, k_root, c_root, NULL, NULL, ES_OK);
    assert_int_equal(check(d4, old, 1, T0, NULL, "not signed by the key it replaces"),
                     ES_ERR_CRYPTO_SIGNATURE);

    /* a rotation with a key that is not the previous certificate's */
    char *bad = sign_json(c, k_owner, c_owner, k_root, c_maker, ES_ERR_POLICY_KEY_MISMATCH);
    assert_null(bad);
    free(sct);
    es_free(fenv);
    json_decref(sc);
    json_decref(c4);
    json_decref(e2);
    es_free(d4);
    es_free(d3);
    es_free(d2);
    json_decref(c2);
    json_decref(env);
    es_free(d1);
    json_decref(c);
}

static void expect_malformed(json_t *c, const char *msg_part)
{
    char *t = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
    char *out = NULL;
    size_t n;
    es_ctx *ctx = es_ctx_new();
    int rc = es_trustlist_sign(ctx, t, strlen(t), k_maker, c_maker, NULL, NULL, T0, &out, &n);
    if (rc == ES_OK || !strstr(es_ctx_errmsg(ctx), msg_part)) {
        fail_msg("rc %d, message \"%s\", wanted \"%s\"", rc, es_ctx_errmsg(ctx), msg_part);
    }
    assert_null(out);
    es_ctx_free(ctx);
    free(t);
    json_decref(c);
}

static json_t *entry0(json_t *c)
{
    return json_array_get(json_object_get(c, "entries"), 0);
}

static void test_malformed(void **state)
{
    (void)state;
    json_t *c = content();
    json_object_del(c, "region");
    expect_malformed(c, "\"region\"");
    c = content();
    json_object_set_new(c, "next_update", json_string("2027-01-15"));
    expect_malformed(c, "next_update");
    c = content();
    json_object_set_new(c, "next_update", json_string("2027-01-15T07:00:00Z"));
    expect_malformed(c, "not after issued");
    c = content();
    json_object_set_new(entry0(c), "kind", json_string("notary"));
    expect_malformed(c, "entries[0]: kind");
    c = content();
    json_object_set_new(entry0(c), "cert", json_string("AAAA"));
    expect_malformed(c, "entries[0]: cert");
    c = content();
    json_object_del(json_array_get(json_object_get(c, "entries"), 2), "node");
    expect_malformed(c, "entries[2]: \"node\"");
    c = content();
    json_object_set_new(entry0(c), "history", json_array());
    expect_malformed(c, "non-empty");
    c = content();
    json_t *h = json_object_get(entry0(c), "history");
    json_object_set_new(json_array_get(h, 1), "from", json_integer(T0 - 1000));
    expect_malformed(c, "increasing");
    c = content();
    h = json_object_get(entry0(c), "history");
    json_object_set_new(json_array_get(h, 1), "status", json_string("suspended"));
    expect_malformed(c, "neither recognised nor withdrawn");
    c = content();
    json_object_set_new(c, "entries", json_object());
    expect_malformed(c, "entries");
    /* a signed document of another type */
    es_ctx *ctx = es_ctx_new();
    char *env = NULL;
    size_t n;
    const char *st = "{\"type\":\"eseal-status/1\"}";
    assert_int_equal(es_sdoc_sign(ctx, k_maker, c_maker, st, strlen(st), &env, &n), ES_OK);
    const es_cert *signers[] = {c_maker};
    assert_int_equal(check(env, signers, 1, T0, NULL, "not eseal-trustlist/1"),
                     ES_ERR_FORMAT_STRUCTURE);
    assert_int_equal(check("{}", signers, 1, T0, NULL, "trust list"), ES_ERR_FORMAT_STRUCTURE);
    es_free(env);
    es_ctx_free(ctx);
}

int main(void)
{
    t_load_identity("maker", &k_maker, &c_maker);
    t_load_identity("owner", &k_owner, &c_owner);
    t_load_identity("root-ca", &k_root, &c_root);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_and_read),
        cmocka_unit_test(test_refused_signatures),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_malformed),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    es_key_free(k_maker);
    es_key_free(k_owner);
    es_key_free(k_root);
    es_cert_free(c_maker);
    es_cert_free(c_owner);
    es_cert_free(c_root);
    return rc;
}
