/*
 * lib/crypto/fast/sm3_mb_impl.h - multi-buffer SM3: the same compression
 * as sm3_fast.c, with every 32-bit word a vector holding one word of each
 * of LANES independent messages. Included by sm3_mb_avx2.c and
 * sm3_mb_avx512.c, which define the vector type V, the operations
 *   V_ADD V_XOR V_XOR3 V_ROL V_FF1 V_GG1 V_SET1
 * the lane count LANES, the mask type M with M_ACTIVE(lanes < nb) and
 * V_KEEP(old, new, mask), the transposing block loader load_words(), the
 * target attribute TARGET and the exported name MB_NAME.
 */

#define P0V(x) V_XOR3((x), V_ROL((x), 9), V_ROL((x), 17))
#define P1V(x) V_XOR3((x), V_ROL((x), 15), V_ROL((x), 23))

#define EXPANDV(j)                                                                              \
    w[j] = V_XOR3(P1V(V_XOR3(w[(j) - 16], w[(j) - 9], V_ROL(w[(j) - 3], 15))),                  \
                  V_ROL(w[(j) - 13], 7), w[(j) - 6])

#define FF0V(x, y, z) V_XOR3(x, y, z)
#define GG0V(x, y, z) V_XOR3(x, y, z)

#define ROUNDV(A, B, C, D, E, F, G, H, j, FF, GG)                                               \
    do {                                                                                        \
        V a12 = V_ROL(A, 12);                                                                   \
        V ss1 = V_ROL(V_ADD(V_ADD(a12, E), V_SET1(es_sm3_k[j])), 7);                           \
        V ss2 = V_XOR(ss1, a12);                                                                \
        D = V_ADD(V_ADD(D, FF(A, B, C)), V_ADD(ss2, V_XOR(w[j], w[(j) + 4])));                  \
        H = V_ADD(V_ADD(H, GG(E, F, G)), V_ADD(ss1, w[j]));                                     \
        B = V_ROL(B, 9);                                                                        \
        F = V_ROL(F, 19);                                                                       \
        H = P0V(H);                                                                             \
    } while (0)

#define R8V(j, FF, GG)                                                                          \
    ROUNDV(a, b, c, d, e, f, g, h, (j) + 0, FF, GG);                                            \
    ROUNDV(d, a, b, c, h, e, f, g, (j) + 1, FF, GG);                                            \
    ROUNDV(c, d, a, b, g, h, e, f, (j) + 2, FF, GG);                                            \
    ROUNDV(b, c, d, a, f, g, h, e, (j) + 3, FF, GG);                                            \
    ROUNDV(a, b, c, d, e, f, g, h, (j) + 4, FF, GG);                                            \
    ROUNDV(d, a, b, c, h, e, f, g, (j) + 5, FF, GG);                                            \
    ROUNDV(c, d, a, b, g, h, e, f, (j) + 6, FF, GG);                                            \
    ROUNDV(b, c, d, a, f, g, h, e, (j) + 7, FF, GG)

TARGET static void mb_compress(V st[8], const uint8_t *const ptr[LANES], M active)
{
    V w[68];
    load_words(w, ptr);
    for (int j = 16; j < 68; j++) {
        EXPANDV(j);
    }
    V a = st[0], b = st[1], c = st[2], d = st[3];
    V e = st[4], f = st[5], g = st[6], h = st[7];
    R8V(0, FF0V, GG0V);
    R8V(8, FF0V, GG0V);
    R8V(16, V_FF1, V_GG1);
    R8V(24, V_FF1, V_GG1);
    R8V(32, V_FF1, V_GG1);
    R8V(40, V_FF1, V_GG1);
    R8V(48, V_FF1, V_GG1);
    R8V(56, V_FF1, V_GG1);
    st[0] = V_KEEP(st[0], V_XOR(st[0], a), active);
    st[1] = V_KEEP(st[1], V_XOR(st[1], b), active);
    st[2] = V_KEEP(st[2], V_XOR(st[2], c), active);
    st[3] = V_KEEP(st[3], V_XOR(st[3], d), active);
    st[4] = V_KEEP(st[4], V_XOR(st[4], e), active);
    st[5] = V_KEEP(st[5], V_XOR(st[5], f), active);
    st[6] = V_KEEP(st[6], V_XOR(st[6], g), active);
    st[7] = V_KEEP(st[7], V_XOR(st[7], h), active);
}

/*
 * Hashes n <= LANES messages. Lane i walks its message's full blocks in
 * place, then its padded tail (1 or 2 blocks); once done, it reads a zero
 * block and its state is held by the mask.
 */
TARGET void MB_NAME(const uint8_t *const *msgs, const size_t *lens, size_t n, uint8_t (*out)[32])
{
    static const uint8_t zero_block[64];
    static const uint32_t iv[8] = {0x7380166fU, 0x4914b2b9U, 0x172442d7U, 0xda8a0600U,
                                   0xa96f30bcU, 0x163138aaU, 0xe38dee4dU, 0xb0fb0e4eU};
    uint8_t tails[LANES][128];
    size_t full[LANES], nb[LANES], max_nb = 0;
    const uint8_t *ptr[LANES];
    for (size_t i = 0; i < LANES; i++) {
        if (i < n) {
            full[i] = lens[i] / 64;
            nb[i] = full[i] + es_sm3_tail(msgs[i], lens[i], tails[i]);
        } else {
            full[i] = nb[i] = 0;
        }
        if (nb[i] > max_nb) {
            max_nb = nb[i];
        }
    }
    V st[8];
    for (int j = 0; j < 8; j++) {
        st[j] = V_SET1(iv[j]);
    }
    for (size_t b = 0; b < max_nb; b++) {
        uint32_t act[LANES];
        for (size_t i = 0; i < LANES; i++) {
            if (b < full[i]) {
                ptr[i] = msgs[i] + 64 * b;
            } else if (b < nb[i]) {
                ptr[i] = tails[i] + 64 * (b - full[i]);
            } else {
                ptr[i] = zero_block;
            }
            act[i] = b < nb[i] ? 0xffffffffU : 0;
        }
        mb_compress(st, ptr, M_ACTIVE(act));
    }
    uint32_t words[8][LANES];
    for (int j = 0; j < 8; j++) {
        V_STORE(words[j], st[j]);
    }
    for (size_t i = 0; i < n; i++) {
        for (int j = 0; j < 8; j++) {
            out[i][4 * j] = (uint8_t)(words[j][i] >> 24);
            out[i][4 * j + 1] = (uint8_t)(words[j][i] >> 16);
            out[i][4 * j + 2] = (uint8_t)(words[j][i] >> 8);
            out[i][4 * j + 3] = (uint8_t)words[j][i];
        }
    }
}
