/* Plain C GMP loops, measured in the same run as Tessera's Paillier so that benchmark
 * figures are ratios against a reference rather than absolute numbers on a noisy machine.
 * Textbook Paillier (g = n + 1), no precomputation, no CRT: the baseline any optimisation
 * must beat. */
#ifndef TESSERA_REFERENCE_H
#define TESSERA_REFERENCE_H

/* `iterations` encryptions c = (1 + m n) * r^n mod n^2, each with one plain mpz_powm.
 * r is varied per iteration. Returns a checksum of the ciphertexts so the loop is not elided. */
unsigned long tessera_ref_naive_encrypt(const char *n_hex, const char *m_hex, const char *r_hex, int iterations);

/* `iterations` decryptions m = L(c^lambda mod n^2) * mu mod n with one plain mpz_powm. */
unsigned long tessera_ref_naive_decrypt(const char *n_hex, const char *lambda_hex, const char *mu_hex,
                                        const char *c_hex, int iterations);
#endif
