/* GMP exposes its API as macros (mpz_add -> __gmpz_add), which Swift does not import.
 * These static inline wrappers give Swift callable names. Only TesseraMath includes this. */
#include <gmp.h>
#include <string.h>
#include <stdlib.h>

typedef __mpz_struct tessera_mpz;

static inline void tz_init(tessera_mpz *x) { mpz_init(x); }
static inline void tz_init2(tessera_mpz *x, mp_bitcnt_t bits) { mpz_init2(x, bits); }
static inline void tz_clear(tessera_mpz *x) { mpz_clear(x); }
static inline void tz_set(tessera_mpz *r, const tessera_mpz *a) { mpz_set(r, a); }
static inline void tz_set_ui(tessera_mpz *r, unsigned long a) { mpz_set_ui(r, a); }
static inline void tz_set_si(tessera_mpz *r, long a) { mpz_set_si(r, a); }
static inline int tz_set_str(tessera_mpz *r, const char *s, int base) { return mpz_set_str(r, s, base); }
static inline char *tz_get_str(char *buf, int base, const tessera_mpz *a) { return mpz_get_str(buf, base, a); }
static inline size_t tz_sizeinbase(const tessera_mpz *a, int base) { return mpz_sizeinbase(a, base); }
static inline void tz_import_be(tessera_mpz *r, size_t count, const void *data) { mpz_import(r, count, 1, 1, 1, 0, data); }
static inline void tz_export_be(void *out, size_t *count, const tessera_mpz *a) { mpz_export(out, count, 1, 1, 1, 0, a); }
static inline void tz_add(tessera_mpz *r, const tessera_mpz *a, const tessera_mpz *b) { mpz_add(r, a, b); }
static inline void tz_add_ui(tessera_mpz *r, const tessera_mpz *a, unsigned long b) { mpz_add_ui(r, a, b); }
static inline void tz_sub(tessera_mpz *r, const tessera_mpz *a, const tessera_mpz *b) { mpz_sub(r, a, b); }
static inline void tz_sub_ui(tessera_mpz *r, const tessera_mpz *a, unsigned long b) { mpz_sub_ui(r, a, b); }
static inline void tz_mul(tessera_mpz *r, const tessera_mpz *a, const tessera_mpz *b) { mpz_mul(r, a, b); }
static inline void tz_mul_si(tessera_mpz *r, const tessera_mpz *a, long b) { mpz_mul_si(r, a, b); }
static inline void tz_mul_2exp(tessera_mpz *r, const tessera_mpz *a, mp_bitcnt_t b) { mpz_mul_2exp(r, a, b); }
static inline void tz_fdiv_q_2exp(tessera_mpz *r, const tessera_mpz *a, mp_bitcnt_t b) { mpz_fdiv_q_2exp(r, a, b); }
static inline void tz_fdiv_r_2exp(tessera_mpz *r, const tessera_mpz *a, mp_bitcnt_t b) { mpz_fdiv_r_2exp(r, a, b); }
static inline void tz_mod(tessera_mpz *r, const tessera_mpz *a, const tessera_mpz *m) { mpz_mod(r, a, m); }
static inline void tz_fdiv_qr(tessera_mpz *q, tessera_mpz *r, const tessera_mpz *a, const tessera_mpz *b) { mpz_fdiv_qr(q, r, a, b); }
static inline void tz_tdiv_q(tessera_mpz *q, const tessera_mpz *a, const tessera_mpz *b) { mpz_tdiv_q(q, a, b); }
static inline void tz_fdiv_q(tessera_mpz *q, const tessera_mpz *a, const tessera_mpz *b) { mpz_fdiv_q(q, a, b); }
static inline void tz_divexact(tessera_mpz *q, const tessera_mpz *a, const tessera_mpz *b) { mpz_divexact(q, a, b); }
static inline unsigned long tz_fdiv_ui(const tessera_mpz *a, unsigned long b) { return mpz_fdiv_ui(a, b); }
static inline void tz_powm(tessera_mpz *r, const tessera_mpz *b, const tessera_mpz *e, const tessera_mpz *m) { mpz_powm(r, b, e, m); }
static inline void tz_powm_sec(tessera_mpz *r, const tessera_mpz *b, const tessera_mpz *e, const tessera_mpz *m) { mpz_powm_sec(r, b, e, m); }
static inline int tz_invert(tessera_mpz *r, const tessera_mpz *a, const tessera_mpz *m) { return mpz_invert(r, a, m); }
static inline void tz_gcd(tessera_mpz *r, const tessera_mpz *a, const tessera_mpz *b) { mpz_gcd(r, a, b); }
static inline void tz_lcm(tessera_mpz *r, const tessera_mpz *a, const tessera_mpz *b) { mpz_lcm(r, a, b); }
static inline int tz_cmp(const tessera_mpz *a, const tessera_mpz *b) { return mpz_cmp(a, b); }
static inline int tz_cmp_si(const tessera_mpz *a, long b) { return mpz_cmp_si(a, b); }
static inline int tz_sgn(const tessera_mpz *a) { return mpz_sgn(a); }
static inline void tz_neg(tessera_mpz *r, const tessera_mpz *a) { mpz_neg(r, a); }
static inline int tz_probab_prime_p(const tessera_mpz *a, int reps) { return mpz_probab_prime_p(a, reps); }
static inline int tz_fits_slong(const tessera_mpz *a) { return mpz_fits_slong_p(a); }
static inline long tz_get_si(const tessera_mpz *a) { return mpz_get_si(a); }
static inline int tz_tstbit(const tessera_mpz *a, mp_bitcnt_t i) { return mpz_tstbit(a, i); }
static inline void tz_fac_ui(tessera_mpz *r, unsigned long n) { mpz_fac_ui(r, n); }
static inline int tz_odd(const tessera_mpz *a) { return mpz_odd_p(a); }

/* Scrub the limbs of a number before its memory goes back to the allocator. */
static inline void tz_scrub(tessera_mpz *x) {
    if (x->_mp_d && x->_mp_alloc > 0) explicit_bzero(x->_mp_d, (size_t)x->_mp_alloc * sizeof(mp_limb_t));
    x->_mp_size = 0;
}

/* An allocator that zeroes every block GMP frees or moves, so that intermediate values of
 * secret computations (which GMP reallocates internally) do not linger on the heap. */
static void *tz_alloc(size_t n) { void *p = malloc(n); if (!p) abort(); return p; }
static void *tz_realloc(void *old, size_t oldSize, size_t newSize) {
    void *p = malloc(newSize); if (!p) abort();
    memcpy(p, old, oldSize < newSize ? oldSize : newSize);
    explicit_bzero(old, oldSize); free(old); return p;
}
static void tz_free(void *p, size_t n) { if (p) { explicit_bzero(p, n); free(p); } }
static inline void tz_install_scrubbing_allocator(void) { mp_set_memory_functions(tz_alloc, tz_realloc, tz_free); }

/* Fixed-base tables keep their entries as flat, zero-padded little-endian limb arrays. */
static inline size_t tz_size_limbs(const tessera_mpz *a) { return mpz_size(a); }
static inline void tz_export_limbs(mp_limb_t *out, size_t len, const tessera_mpz *a) {
    size_t n = mpz_size(a);
    for (size_t i = 0; i < len; i++) out[i] = i < n ? mpz_getlimbn(a, (mp_size_t)i) : 0;
}
/* acc = acc * entry mod m, where entry is `len` limbs (read-only view, no copy). */
static inline void tz_mulmod_limbs(tessera_mpz *acc, const mp_limb_t *entry, size_t len, const tessera_mpz *m) {
    mpz_t v; mpz_roinit_n(v, entry, (mp_size_t)len);
    mpz_mul(acc, acc, v); mpz_mod(acc, acc, m);
}
/* Constant-time table read: touches every entry of the row (GMP's mpn_sec_tabselect). */
static inline void tz_tabselect(mp_limb_t *out, const mp_limb_t *tab, size_t len, size_t count, size_t which) {
    mpn_sec_tabselect(out, tab, (mp_size_t)len, (mp_size_t)count, (mp_size_t)which);
}
