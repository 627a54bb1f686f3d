/*
 * test_passkey.c: lib/passkey/ against the software authenticator of
 * tests/unit/gen_passkey.py (kat_passkey.h: python3-cryptography keys
 * and signatures, cbor2's CBOR): the strict CBOR walk, COSE keys both
 * ways, authenticatorData, registrations (none, packed self, packed
 * x5c) and assertions with ES256, EdDSA and RS256, each failure of the
 * specification's list and malformed input; then every truncation and
 * every flipped bit of signed ceremonies refused, and out-params left
 * alone on failure.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "attest.h"
#include "authdata.h"
#include "clientdata.h"
#include "cose.h"
#include "pkcbor.h"
#include "testhelp.h"

#include "kat_passkey.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define U(s) ((const unsigned char *)(s))

static char *const origins[] = { KAT_ORIGIN, KAT_ORIGIN2 };

static struct clientdata_expect
expect(enum clientdata_type type)
{
	struct clientdata_expect x = { type, U(kat_challenge),
		KAT_CHALLENGE_LEN, origins, N(origins) };

	return x;
}

static void
test_cbor(void)
{
	cbor_item_t *it;
	size_t i, len;
	enum app_err er;

	for (i = 0; i < N(cbor_kats); i++) {
		const struct cbor_kat *k = &cbor_kats[i];

		len = 12345;
		er = pkcbor_check(U(k->text), k->len, &len);
		if (k->item_len < 0) {
			T_ASSERT(er == APP_EINPUT && len == 12345);
			if (er != APP_EINPUT)
				fprintf(stderr, "  cbor %s\n", k->name);
			continue;
		}
		T_ASSERT(er == APP_OK && len == (size_t)k->item_len);
		if (er != APP_OK)
			fprintf(stderr, "  cbor %s\n", k->name);
		it = NULL;
		er = pkcbor_load(U(k->text), k->len, &it);
		T_ASSERT((er == APP_OK) == (len == k->len));
		if (it != NULL)
			cbor_decref(&it);
	}
}

static void
test_cose(void)
{
	unsigned char enc[COSE_KEY_MAX];
	EVP_PKEY *key;
	size_t i, len;
	int alg;
	enum app_err er;

	for (i = 0; i < N(cose_kats); i++) {
		const struct cose_kat *k = &cose_kats[i];

		key = NULL;
		alg = 99;
		er = cose_key_parse(U(k->key), k->len, &alg, &key);
		if (k->alg == 0) {
			T_ASSERT(er == APP_EINPUT && key == NULL && alg == 99);
			if (er != APP_EINPUT)
				fprintf(stderr, "  cose %s\n", k->name);
			continue;
		}
		T_ASSERT(er == APP_OK && alg == k->alg);
		if (er != APP_OK) {
			fprintf(stderr, "  cose %s\n", k->name);
			continue;
		}
		/* Written back in the authenticators' order: the same bytes,
		 * but for the one written in another order. */
		T_ASSERT(cose_key_encode(key, alg, enc, &len) == APP_OK);
		if (strncmp(k->name, "alg ", 4) == 0)
			T_ASSERT(
			    len == k->len && memcmp(enc, k->key, len) == 0);
		/* ... and read again. */
		EVP_PKEY_free(key);
		key = NULL;
		T_ASSERT(cose_key_parse(enc, len, &alg, &key) == APP_OK &&
		    alg == k->alg);
		/* A key does not pass for another algorithm. */
		T_ASSERT(
		    cose_key_encode(key,
			alg == COSE_ALG_ES256 ? COSE_ALG_EDDSA : COSE_ALG_ES256,
			enc, &len) == APP_EINPUT);
		T_ASSERT(cose_key_encode(key, 0, enc, &len) == APP_EINPUT);
		T_ASSERT(
		    cose_verify(key, -36, U("x"), 1, U("m"), 1) == APP_EINPUT);
		EVP_PKEY_free(key);
	}
}

static void
test_authdata(void)
{
	struct authdata a, b;
	unsigned char buf[LIMIT_PASSKEY_AUTHDATA + 1];
	size_t i;

	for (i = 0; i < N(auth_kats); i++) {
		const struct auth_kat *k = &auth_kats[i];
		enum app_err er;

		memset(&a, 0x5a, sizeof(a));
		b = a;
		er = authdata_parse(U(k->adata), k->adata_len, &a);
		if (er != APP_OK) {
			T_ASSERT(
			    er == APP_EINPUT && memcmp(&a, &b, sizeof(a)) == 0);
			continue;
		}
		T_ASSERT(a.rp_id_hash == U(k->adata) &&
		    a.flags == U(k->adata)[32] &&
		    (a.flags & AUTHDATA_AT
			    ? a.cred_id_len == 1 &&
				a.aaguid == U(k->adata) + AUTHDATA_MIN
			    : a.cred_id_len == 0 && a.aaguid == NULL));
		T_ASSERT(a.sign_count ==
		    ((uint32_t)U(k->adata)[33] << 24 |
			(uint32_t)U(k->adata)[34] << 16 |
			(uint32_t)U(k->adata)[35] << 8 | U(k->adata)[36]));
		T_ASSERT(authdata_rp_check(&a, KAT_RP_ID) == APP_OK ||
		    strstr(k->name, "rpId") != NULL);
	}
	/* Sizes: 36 and 37 zero bytes, and one over the bound. */
	memset(buf, 0, sizeof(buf));
	T_ASSERT(authdata_parse(buf, AUTHDATA_MIN - 1, &a) == APP_EINPUT);
	T_ASSERT(authdata_parse(buf, AUTHDATA_MIN, &a) == APP_OK &&
	    a.flags == 0 && a.sign_count == 0 && a.ext == NULL);
	T_ASSERT(authdata_parse(buf, sizeof(buf), &a) == APP_EINPUT);
	/* AT with a 0-length ID, and with a length past the end. */
	buf[32] = AUTHDATA_AT;
	T_ASSERT(authdata_parse(buf, AUTHDATA_MIN + 18 + 1, &a) == APP_EINPUT);
	buf[AUTHDATA_MIN + 16] = 0xff;
	T_ASSERT(authdata_parse(buf, AUTHDATA_MIN + 18 + 1, &a) == APP_EINPUT);
	/* AT with an ID and an empty map as the key: the bytes are right
	 * (the key itself is cose.c's to refuse). */
	buf[AUTHDATA_MIN + 16] = 0;
	buf[AUTHDATA_MIN + 17] = 1;
	buf[AUTHDATA_MIN + 19] = 0xa0;
	T_ASSERT(authdata_parse(buf, AUTHDATA_MIN + 20, &a) == APP_OK &&
	    a.cred_id_len == 1 && a.cose_key_len == 1 &&
	    a.cose_key == buf + AUTHDATA_MIN + 19);
	buf[32] = AUTHDATA_AT | AUTHDATA_ED;
	T_ASSERT(authdata_parse(buf, AUTHDATA_MIN + 20, &a) == APP_EINPUT);
	buf[AUTHDATA_MIN + 20] = 0xa0;
	T_ASSERT(authdata_parse(buf, AUTHDATA_MIN + 21, &a) == APP_OK &&
	    a.ext_len == 1);
	/* Reserved bits 1 and 5 are ignored. */
	buf[32] = 0x22;
	T_ASSERT(
	    authdata_parse(buf, AUTHDATA_MIN, &a) == APP_OK && a.flags == 0x22);
}

static void
test_registration(void)
{
	struct clientdata_expect x = expect(CLIENTDATA_CREATE);
	struct attest_result r, zero;
	const char *why;
	size_t i;
	enum app_err er;

	memset(&zero, 0, sizeof(zero));
	for (i = 0; i < N(reg_kats); i++) {
		const struct reg_kat *k = &reg_kats[i];

		memset(&r, 0, sizeof(r));
		why = NULL;
		er = attest_verify(&x, KAT_RP_ID, k->require_uv != 0,
		    U(k->cdata), k->cdata_len, U(k->attobj), k->attobj_len, &r,
		    &why);
		if (!k->ok) {
			T_ASSERT(er == APP_EINPUT && why != NULL &&
			    memcmp(&r, &zero, sizeof(r)) == 0);
			if (er != APP_EINPUT)
				fprintf(stderr, "  registration %s\n", k->name);
			continue;
		}
		T_ASSERT(er == APP_OK);
		if (er != APP_OK) {
			fprintf(stderr, "  registration %s: %s\n", k->name,
			    why ? why : "?");
			continue;
		}
		T_ASSERT(r.cred_id_len == k->cred_id_len &&
		    memcmp(r.cred_id, k->cred_id, r.cred_id_len) == 0);
		T_ASSERT(r.public_key_len == k->stored_len &&
		    memcmp(r.public_key, k->stored, k->stored_len) == 0);
		T_ASSERT(r.sign_count == k->count && r.flags == k->flags &&
		    r.alg == k->alg && r.fmt == k->fmt);
		attest_result_free(&r);
		T_ASSERT(memcmp(&r, &zero, sizeof(r)) == 0);
		/* Another RP, UV asked of one that has none, the wrong
		 * ceremony. */
		T_ASSERT(attest_verify(&x, "example.org", false, U(k->cdata),
			     k->cdata_len, U(k->attobj), k->attobj_len, &r,
			     NULL) == APP_EINPUT);
		if (!(k->flags & AUTHDATA_UV))
			T_ASSERT(attest_verify(&x, KAT_RP_ID, true, U(k->cdata),
				     k->cdata_len, U(k->attobj), k->attobj_len,
				     &r, NULL) == APP_EINPUT);
		x.type = CLIENTDATA_GET;
		T_ASSERT(attest_verify(&x, KAT_RP_ID, false, U(k->cdata),
			     k->cdata_len, U(k->attobj), k->attobj_len, &r,
			     NULL) == APP_EINTERNAL);
		x.type = CLIENTDATA_CREATE;
		/* Only the first origin allowed: still fine for it. */
		x.norigins = 1;
		er = attest_verify(&x, KAT_RP_ID, false, U(k->cdata),
		    k->cdata_len, U(k->attobj), k->attobj_len, &r, NULL);
		T_ASSERT(
		    er == (strstr(k->name, "second") ? APP_EINPUT : APP_OK));
		attest_result_free(&r);
		x.norigins = N(origins);
	}
}

/*
 * Whether run refuses (APP_EINPUT) every truncation and every flipped
 * bit of the parts of a ceremony in mask (bit i: part i), the others as
 * they are; counts them in *total.
 */
struct ceremony {
	const unsigned char *p[3];
	size_t n[3];
	const struct reg_kat *reg;
	const struct auth_kat *auth;
};

static enum app_err
run(const struct ceremony *c)
{
	struct clientdata_expect x =
	    expect(c->reg != NULL ? CLIENTDATA_CREATE : CLIENTDATA_GET);
	struct attest_result r;
	struct assertion_result ar;
	struct assertion_cred cred;
	enum app_err er;

	if (c->reg != NULL) {
		er = attest_verify(&x, KAT_RP_ID, false, c->p[0], c->n[0],
		    c->p[1], c->n[1], &r, NULL);
		if (er == APP_OK)
			attest_result_free(&r);
		return er;
	}
	cred.public_key = U(c->auth->stored);
	cred.public_key_len = c->auth->stored_len;
	cred.sign_count = 0;
	return assertion_verify(&x, KAT_RP_ID, false, c->p[1], c->n[1], c->p[0],
	    c->n[0], c->p[2], c->n[2], &cred, &ar, NULL);
}

static void
all_refused(const char *name, struct ceremony c, unsigned mask)
{
	unsigned char *buf;
	const unsigned char *keep;
	size_t part, j, len, bad = 0, total = 0;

	for (part = 0; part < 3; part++) {
		if (!(mask & (1u << part)))
			continue;
		len = c.n[part];
		for (c.n[part] = 0; c.n[part] < len; c.n[part]++, total++)
			bad += run(&c) == APP_EINPUT;
		keep = c.p[part];
		buf = malloc(len);
		memcpy(buf, keep, len);
		c.p[part] = buf;
		for (j = 0; j < len * 8; j++, total++) {
			buf[j / 8] ^= (unsigned char)(1u << (j % 8));
			bad += run(&c) == APP_EINPUT;
			buf[j / 8] ^= (unsigned char)(1u << (j % 8));
		}
		free(buf);
		c.p[part] = keep;
	}
	T_ASSERT(bad == total);
	if (bad != total)
		fprintf(stderr, "  %s: %zu of %zu refused\n", name, bad, total);
}

/* Every truncation and every flipped bit of a packed registration is
 * refused: the signature covers authData and the clientDataJSON, and the
 * rest is structure; but for the bits of an x5c certificate, whose own
 * signature nothing checks (no roots: attest.h), so only its
 * clientDataJSON is changed there. */
static void
test_registration_mutations(void)
{
	unsigned seen = 0, one;
	size_t i;

	for (i = 0; i < N(reg_kats); i++) {
		const struct reg_kat *k = &reg_kats[i];
		struct ceremony c = { { U(k->cdata), U(k->attobj), NULL },
			{ k->cdata_len, k->attobj_len, 0 }, k, NULL };

		/* The first of each algorithm and format. */
		one = 1u << (k->fmt * 3 +
			  (k->alg == COSE_ALG_ES256	     ? 0
				  : k->alg == COSE_ALG_EDDSA ? 1
							     : 2));
		if (!k->ok || k->fmt == ATTEST_NONE || (seen & one))
			continue;
		seen |= one;
		all_refused(k->name, c, k->fmt == ATTEST_PACKED_X5C ? 1 : 3);
	}
	T_ASSERT(seen != 0);
}

static void
test_assertion(void)
{
	struct clientdata_expect x = expect(CLIENTDATA_GET);
	struct assertion_result r, before;
	struct assertion_cred c;
	const char *why;
	size_t i;
	enum app_err er;

	for (i = 0; i < N(auth_kats); i++) {
		const struct auth_kat *k = &auth_kats[i];

		c.public_key = U(k->stored);
		c.public_key_len = k->stored_len;
		c.sign_count = k->stored_count;
		memset(&r, 0x5a, sizeof(r));
		before = r;
		r.counter_regressed = false;
		why = NULL;
		er = assertion_verify(&x, KAT_RP_ID, k->require_uv != 0,
		    U(k->cdata), k->cdata_len, U(k->adata), k->adata_len,
		    U(k->sig), k->sig_len, &c, &r, &why);
		if (!k->ok) {
			T_ASSERT(er == APP_EINPUT && why != NULL &&
			    r.counter_regressed == (k->regressed != 0) &&
			    r.sign_count == before.sign_count &&
			    r.flags == before.flags);
			if (er != APP_EINPUT ||
			    r.counter_regressed != (k->regressed != 0))
				fprintf(stderr, "  assertion %s: %s\n", k->name,
				    why ? why : "?");
			continue;
		}
		T_ASSERT(er == APP_OK && r.sign_count == k->new_count &&
		    !r.counter_regressed &&
		    r.flags == (unsigned char)k->adata[32]);
		if (er != APP_OK)
			fprintf(stderr, "  assertion %s: %s\n", k->name,
			    why ? why : "?");
		/* Another RP; a registration's expectations. */
		T_ASSERT(assertion_verify(&x, "example.org", false, U(k->cdata),
			     k->cdata_len, U(k->adata), k->adata_len, U(k->sig),
			     k->sig_len, &c, &r, NULL) == APP_EINPUT);
		x.type = CLIENTDATA_CREATE;
		T_ASSERT(assertion_verify(&x, KAT_RP_ID, false, U(k->cdata),
			     k->cdata_len, U(k->adata), k->adata_len, U(k->sig),
			     k->sig_len, &c, &r, NULL) == APP_EINTERNAL);
		x.type = CLIENTDATA_GET;
		/* The same assertion again once its count is stored: a
		 * replay, unless the count stays 0. */
		c.sign_count = r.sign_count;
		er = assertion_verify(&x, KAT_RP_ID, false, U(k->cdata),
		    k->cdata_len, U(k->adata), k->adata_len, U(k->sig),
		    k->sig_len, &c, &r, NULL);
		T_ASSERT(er ==
		    (k->new_count == 0 ||
				((U(k->adata)[32] & AUTHDATA_BE) &&
				    U(k->adata)[36] == 0 &&
				    U(k->adata)[35] == 0 &&
				    U(k->adata)[34] == 0 &&
				    U(k->adata)[33] == 0)
			    ? APP_OK
			    : APP_EINPUT));
	}
}

/* Every truncation and flipped bit of a signed assertion's authData,
 * clientDataJSON and signature is refused. */
static void
test_assertion_mutations(void)
{
	size_t i;

	/* The first three: ES256, EdDSA and RS256 (gen_passkey.py). */
	for (i = 0; i < N(auth_kats) && i < 9; i += 3) {
		const struct auth_kat *k = &auth_kats[i];
		struct ceremony c = { { U(k->adata), U(k->cdata), U(k->sig) },
			{ k->adata_len, k->cdata_len, k->sig_len }, NULL, k };

		T_ASSERT(k->ok && k->stored_count == 0 && !k->require_uv);
		all_refused(k->name, c, 7);
	}
}

static void
test_clientdata(void)
{
	struct clientdata_expect x = expect(CLIENTDATA_GET);
	const struct auth_kat *k = &auth_kats[0];
	const char *why = NULL;

	T_ASSERT(
	    clientdata_check(U(k->cdata), k->cdata_len, &x, &why) == APP_OK);
	/* No origin allowed at all. */
	x.norigins = 0;
	T_ASSERT(clientdata_check(U(k->cdata), k->cdata_len, &x, &why) ==
		APP_EINPUT &&
	    why != NULL);
	x.norigins = N(origins);
	/* The caller's own mistakes: a short challenge, a bad type. */
	x.challenge_len = 15;
	T_ASSERT(clientdata_check(U(k->cdata), k->cdata_len, &x, NULL) ==
	    APP_EINTERNAL);
	x.challenge_len = KAT_CHALLENGE_LEN;
	x.type = CLIENTDATA__MAX;
	T_ASSERT(clientdata_check(U(k->cdata), k->cdata_len, &x, NULL) ==
	    APP_EINTERNAL);
	x.type = CLIENTDATA_GET;
	/* Another challenge of the same length. */
	x.challenge = U(kat_challenge) + 1;
	x.challenge_len = KAT_CHALLENGE_LEN - 1;
	T_ASSERT(clientdata_check(U(k->cdata), k->cdata_len, &x, NULL) ==
	    APP_EINPUT);
	T_ASSERT(clientdata_check(U("{}"), 2, &x, NULL) == APP_EINPUT);
	T_ASSERT(clientdata_check(U(""), 0, &x, NULL) == APP_EINPUT);
}

int
main(void)
{
	test_cbor();
	test_cose();
	test_authdata();
	test_clientdata();
	test_registration();
	test_registration_mutations();
	test_assertion();
	test_assertion_mutations();
	return T_DONE();
}
