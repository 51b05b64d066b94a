#include "reference.h"
#include <gmp.h>

unsigned long tessera_ref_naive_encrypt(const char *n_hex, const char *m_hex, const char *r_hex, int iterations) {
    mpz_t n, n2, m, r, a, b;
    mpz_inits(n, n2, m, r, a, b, NULL);
    mpz_set_str(n, n_hex, 16); mpz_set_str(m, m_hex, 16); mpz_set_str(r, r_hex, 16);
    mpz_mul(n2, n, n);
    unsigned long check = 0;
    for (int i = 0; i < iterations; i++) {
        mpz_add_ui(r, r, 2);
        mpz_mul(a, m, n); mpz_add_ui(a, a, 1);   /* (1 + n)^m = 1 + m n mod n^2 */
        mpz_powm(b, r, n, n2);
        mpz_mul(a, a, b); mpz_mod(a, a, n2);
        check ^= mpz_getlimbn(a, 0);
    }
    mpz_clears(n, n2, m, r, a, b, NULL);
    return check;
}

unsigned long tessera_ref_naive_decrypt(const char *n_hex, const char *lambda_hex, const char *mu_hex,
                                        const char *c_hex, int iterations) {
    mpz_t n, n2, lambda, mu, c, u;
    mpz_inits(n, n2, lambda, mu, c, u, NULL);
    mpz_set_str(n, n_hex, 16); mpz_set_str(lambda, lambda_hex, 16);
    mpz_set_str(mu, mu_hex, 16); mpz_set_str(c, c_hex, 16);
    mpz_mul(n2, n, n);
    unsigned long check = 0;
    for (int i = 0; i < iterations; i++) {
        mpz_powm(u, c, lambda, n2);
        mpz_sub_ui(u, u, 1); mpz_divexact(u, u, n);
        mpz_mul(u, u, mu); mpz_mod(u, u, n);
        check ^= mpz_getlimbn(u, 0);
    }
    mpz_clears(n, n2, lambda, mu, c, u, NULL);
    return check;
}
