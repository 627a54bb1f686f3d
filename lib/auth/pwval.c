/*
 * pwval.c: django.contrib.auth.password_validation (Django 4.2 to 5.x):
 * MinimumLengthValidator, CommonPasswordValidator,
 * NumericPasswordValidator and UserAttributeSimilarityValidator.
 *
 * Django works on Python str, so this file works on code points: the
 * password is decoded once, and Python's str.lower(), str.strip(),
 * str.isdigit() and re's \W come from pystr.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "codec.h"
#include "config.h"
#include "log.h"
#include "pwval.h"
#include "pystr.h"
#include "resp.h"

/* Longest echo of a list path in an error line. */
#define PWVAL_PATH_ECHO 200
/* What a byte that is not valid UTF-8 counts as. */
#define PWVAL_REPLACEMENT 0xfffd

/* UserAttributeSimilarityValidator's attributes; User's verbose names. */
enum pwval_attr {
	PWVAL_ATTR_USERNAME,
	PWVAL_ATTR_FIRST_NAME,
	PWVAL_ATTR_LAST_NAME,
	PWVAL_ATTR_EMAIL,
	PWVAL_ATTR__MAX
};

static const struct {
	const char *name;
	const char *verbose;
} attrs[PWVAL_ATTR__MAX] = {
	[PWVAL_ATTR_USERNAME] = { "username", "username" },
	[PWVAL_ATTR_FIRST_NAME] = { "first_name", "first name" },
	[PWVAL_ATTR_LAST_NAME] = { "last_name", "last name" },
	[PWVAL_ATTR_EMAIL] = { "email", "email address" },
};

/* One entry of a list: bytes off..off+len of the list's buffer. */
struct pwval_entry {
	uint32_t off, len;
};

/* A loaded password list: a set of distinct, stripped UTF-8 strings. */
struct pwval_list {
	char *buf;
	struct pwval_entry *ent;
	size_t nent;
	uint32_t *slot; /* open addressing: entry index + 1; 0 is empty */
	size_t mask; /* slots - 1, slots a power of two */
};

/* One validator with its options copied out of the config. */
struct pwval_rule {
	enum app_validator_kind kind;
	int min_length;
	double max_similarity;
	enum pwval_attr *attr;
	size_t nattr;
	struct pwval_list *list;
};

struct pwval {
	struct pwval_rule *rule;
	size_t nrule;
};

/* --- UTF-8 ------------------------------------------------------------ */

/* Decode s into out (room for len); a bad byte is one U+FFFD. */
static size_t
utf8_decode(const char *s, size_t len, uint32_t *out)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, o = 0, k;

	while (i < len) {
		if ((k = codec_utf8_next(p + i, len - i, &out[o])) == 0) {
			out[o] = PWVAL_REPLACEMENT;
			k = 1;
		}
		i += k;
		o++;
	}
	return o;
}

/* Encode n code points (all valid) into out (room for 4n); its length. */
static size_t
utf8_encode(const uint32_t *s, size_t n, char *out)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++)
		o += codec_utf8_put(s[i], (unsigned char *)out + o);
	return o;
}

/* --- the password list --------------------------------------------- */

/* FNV-1a, 64 bits. */
static uint64_t
hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool
list_has(const struct pwval_list *l, const char *s, size_t len)
{
	size_t i = (size_t)hash_bytes(s, len) & l->mask;
	uint32_t k;

	while ((k = l->slot[i]) != 0) {
		const struct pwval_entry *e = &l->ent[k - 1];

		if (e->len == len && memcmp(l->buf + e->off, s, len) == 0)
			return true;
		i = (i + 1) & l->mask;
	}
	return false;
}

/* Add buf[off..off+len) unless it is there already. */
static void
list_add(struct pwval_list *l, uint32_t off, uint32_t len)
{
	const char *s = l->buf + off;
	size_t i = (size_t)hash_bytes(s, len) & l->mask;
	uint32_t k;

	while ((k = l->slot[i]) != 0) {
		const struct pwval_entry *e = &l->ent[k - 1];

		if (e->len == len && memcmp(l->buf + e->off, s, len) == 0)
			return;
		i = (i + 1) & l->mask;
	}
	l->ent[l->nent].off = off;
	l->ent[l->nent].len = len;
	l->slot[i] = (uint32_t)++l->nent;
}

static void
list_free(struct pwval_list *l)
{
	if (l == NULL)
		return;
	free(l->buf);
	free(l->ent);
	free(l->slot);
	free(l);
}

/*
 * Read all of the regular file at path into a new NUL-terminated buffer.
 * APP_EINPUT with *why saying what went wrong; APP_ENOMEM.
 */
static enum app_err
read_file(const char *path, char **out, size_t *outlen, const char **why)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0, cap;
	ssize_t r;
	int fd;
	enum app_err er = APP_EINPUT;

	/* O_NONBLOCK: a FIFO must not hang the start; refused below. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		*why = strerror(errno);
		return APP_EINPUT;
	}
	if (fstat(fd, &st) == -1) {
		*why = strerror(errno);
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		goto out;
	}
	if (st.st_size > PWVAL_LIST_MAX_BYTES) {
		*why = "larger than PWVAL_LIST_MAX_BYTES (64 MiB)";
		goto out;
	}
	/* One byte more than the size, to see the end of the file. */
	cap = (size_t)st.st_size + 1;
	er = APP_ENOMEM;
	if ((buf = malloc(cap + 1)) == NULL)
		goto out;
	er = APP_EINPUT;
	for (;;) {
		if (len == cap) {
			*why = "changed while being read";
			goto out;
		}
		if ((r = read(fd, buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			*why = strerror(errno);
			goto out;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	*out = buf;
	*outlen = len;
	buf = NULL;
	er = APP_OK;
out:
	free(buf);
	close(fd);
	return er;
}

/*
 * Django 4.2: `{x.strip() for x in f}` over the file opened as UTF-8
 * text with universal newlines, so LF, CRLF and CR all end a line, and
 * a last line without an end counts. On APP_EINPUT *why says what is
 * wrong.
 */
static enum app_err
list_load(const char *path, struct pwval_list **out, const char **why)
{
	struct pwval_list *l;
	size_t len = 0, i, n, start, end, slots;
	size_t plen = strlen(path);
	enum app_err er;

	*why = NULL;
	if (plen >= 3 && strcmp(path + plen - 3, ".gz") == 0) {
		*why = "gzip-compressed lists are not read; decompress it "
		       "(gzip -dk) and name the .txt file";
		return APP_EINPUT;
	}
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return APP_ENOMEM;
	if ((er = read_file(path, &l->buf, &len, why)) != APP_OK)
		goto fail;
	er = APP_EINPUT;
	if (len >= 2 && (unsigned char)l->buf[0] == 0x1f &&
	    (unsigned char)l->buf[1] == 0x8b) {
		*why = "gzip-compressed lists are not read; decompress it "
		       "(gzip -dk) and name the .txt file";
		goto fail;
	}
	for (i = 0; i < len; i += n) {
		uint32_t c;

		if ((n = codec_utf8_next((const unsigned char *)l->buf + i, len - i,
			 &c)) == 0) {
			*why = "not UTF-8 text";
			goto fail;
		}
	}
	/* Lines, at most: one per line end, plus a last unended one. */
	for (n = 1, i = 0; i < len; i++)
		if (l->buf[i] == '\n' || l->buf[i] == '\r')
			n++;
	for (slots = 16; slots < 2 * n; slots *= 2)
		continue;
	er = APP_ENOMEM;
	if ((l->ent = calloc(n, sizeof(*l->ent))) == NULL ||
	    (l->slot = calloc(slots, sizeof(*l->slot))) == NULL)
		goto fail;
	l->mask = slots - 1;
	for (i = 0; i < len;) {
		start = i;
		while (i < len && l->buf[i] != '\n' && l->buf[i] != '\r')
			i++;
		end = i;
		if (i < len && l->buf[i] == '\r' && i + 1 < len &&
		    l->buf[i + 1] == '\n')
			i++;
		if (i < len)
			i++;
		end -= start;
		start = (size_t)(pystr_strip(l->buf + start, &end) - l->buf);
		list_add(l, (uint32_t)start, (uint32_t)end);
	}
	*out = l;
	return APP_OK;
fail:
	list_free(l);
	return er;
}

/* --- init ------------------------------------------------------------ */

static const char *const kind_names[APP_VALIDATOR__MAX] = {
	[APP_VALIDATOR_MIN_LENGTH] = "MinimumLengthValidator",
	[APP_VALIDATOR_COMMON] = "CommonPasswordValidator",
	[APP_VALIDATOR_NUMERIC] = "NumericPasswordValidator",
	[APP_VALIDATOR_SIMILARITY] = "UserAttributeSimilarityValidator",
};

static enum app_err
rule_init(struct pwval_rule *r, const struct app_validator *v, size_t idx,
    char *err, size_t errsz)
{
	char echo[PWVAL_PATH_ECHO];
	const char *path, *why;
	size_t i, a;
	enum app_err er;

	r->kind = v->kind;
	switch (v->kind) {
	case APP_VALIDATOR_MIN_LENGTH:
		r->min_length = v->min_length;
		return APP_OK;
	case APP_VALIDATOR_NUMERIC:
		return APP_OK;
	case APP_VALIDATOR_COMMON:
		path = v->password_list_path != NULL ? v->password_list_path
						     : PWVAL_DEFAULT_LIST;
		if ((er = list_load(path, &r->list, &why)) == APP_OK)
			return APP_OK;
		log_escape(echo, sizeof(echo), path, strlen(path));
		if (er == APP_EINPUT)
			snprintf(err, errsz,
			    "AUTH_PASSWORD_VALIDATORS[%zu] %s: %s: %s", idx,
			    kind_names[v->kind], echo,
			    why != NULL ? why : "cannot read");
		return er;
	case APP_VALIDATOR_SIMILARITY:
		r->max_similarity = v->max_similarity;
		if (v->user_attributes_len == 0)
			return APP_OK;
		r->attr = calloc(v->user_attributes_len, sizeof(*r->attr));
		if (r->attr == NULL)
			return APP_ENOMEM;
		for (i = 0; i < v->user_attributes_len; i++) {
			for (a = 0; a < PWVAL_ATTR__MAX; a++)
				if (strcmp(v->user_attributes[i],
					attrs[a].name) == 0)
					break;
			/* app_config_load admits only these four. */
			if (a == PWVAL_ATTR__MAX) {
				snprintf(err, errsz,
				    "AUTH_PASSWORD_VALIDATORS[%zu] %s: unknown "
				    "user attribute",
				    idx, kind_names[v->kind]);
				return APP_EINPUT;
			}
			r->attr[r->nattr++] = (enum pwval_attr)a;
		}
		return APP_OK;
	default:
		snprintf(err, errsz,
		    "AUTH_PASSWORD_VALIDATORS[%zu]: unknown validator", idx);
		return APP_EINPUT;
	}
}

enum app_err
pwval_init(struct pwval **out, const struct app_config *cfg, char *err,
    size_t errsz)
{
	struct pwval *pv;
	size_t i, n = cfg->auth_password_validators_len;
	enum app_err er;

	if (errsz > 0)
		err[0] = '\0';
	if ((pv = calloc(1, sizeof(*pv))) == NULL)
		return APP_ENOMEM;
	if (n > 0 && (pv->rule = calloc(n, sizeof(*pv->rule))) == NULL) {
		free(pv);
		return APP_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		pv->nrule++;
		er = rule_init(&pv->rule[i], &cfg->auth_password_validators[i],
		    i, err, errsz);
		if (er != APP_OK) {
			pwval_free(pv);
			return er;
		}
	}
	*out = pv;
	return APP_OK;
}

void
pwval_free(struct pwval *pv)
{
	size_t i;

	if (pv == NULL)
		return;
	for (i = 0; i < pv->nrule; i++) {
		free(pv->rule[i].attr);
		list_free(pv->rule[i].list);
	}
	free(pv->rule);
	free(pv);
}

/* --- validate -------------------------------------------------------- */

/* The password as each validator needs it; built on first use. */
struct pwval_pw {
	uint32_t *cp; /* decoded */
	size_t n;
	uint32_t *low; /* str.lower() */
	size_t nlow;
	uint32_t *sorted; /* low, sorted: multiset counts */
	char *utf8; /* low.strip(), encoded */
	size_t cap; /* code points cp has room for */
};

static int
cmp_cp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static enum app_err
pw_lowered(struct pwval_pw *p)
{
	if (p->low != NULL)
		return APP_OK;
	if ((p->low = calloc(2 * p->cap, sizeof(*p->low))) == NULL)
		return APP_ENOMEM;
	p->nlow = pystr_lower(p->cp, p->n, p->low);
	return APP_OK;
}

/* Occurrences of c in the sorted array s[0..n). */
static size_t
count_in(const uint32_t *s, size_t n, uint32_t c)
{
	size_t lo = 0, hi = n, first;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid] < c)
			lo = mid + 1;
		else
			hi = mid;
	}
	first = lo;
	hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s[mid] <= c)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo - first;
}

/*
 * Django's exceeds_maximum_length_ratio(), then
 * SequenceMatcher(a=password, b=part).quick_ratio() >= max_similarity.
 * quick_ratio is 2 * |a & b| / (|a| + |b|) over the multisets of code
 * points, 1.0 when both are empty; the doubles are computed in Python's
 * order so that ties come out the same. part is sorted in place.
 */
static bool
too_similar(const struct pwval_pw *p, uint32_t *part, size_t lb,
    double max_similarity)
{
	size_t i, j, m = 0, ca, total = p->nlow + lb;
	double bound = max_similarity / 2 * (double)p->nlow;

	if (p->nlow >= 10 * lb && (double)lb < bound)
		return false;
	qsort(part, lb, sizeof(*part), cmp_cp);
	for (i = 0; i < lb; i = j) {
		for (j = i + 1; j < lb && part[j] == part[i]; j++)
			continue;
		ca = count_in(p->sorted, p->nlow, part[i]);
		m += ca < j - i ? ca : j - i;
	}
	if (total == 0)
		return 1.0 >= max_similarity;
	return 2.0 * (double)m / (double)total >= max_similarity;
}

/*
 * One attribute value: value.lower(), then each piece of
 * re.split(r"\W+", lowered) and the whole lowered value. *hit says
 * whether one was too similar.
 */
static enum app_err
attr_similar(const struct pwval_pw *p, const char *value, double max_similarity,
    bool *hit)
{
	size_t len = strlen(value), n, nl, i, start;
	uint32_t *cp, *low, *part;
	enum app_err er = APP_ENOMEM;

	*hit = false;
	cp = calloc(len + 1, sizeof(*cp));
	low = calloc(2 * len + 1, sizeof(*low));
	part = calloc(2 * len + 1, sizeof(*part));
	if (cp == NULL || low == NULL || part == NULL)
		goto out;
	n = utf8_decode(value, len, cp);
	nl = pystr_lower(cp, n, low);
	start = 0;
	for (i = 0; i < nl && !*hit;) {
		if (pystr_is_word(low[i])) {
			i++;
			continue;
		}
		memcpy(part, low + start, (i - start) * sizeof(*part));
		*hit = too_similar(p, part, i - start, max_similarity);
		while (i < nl && !pystr_is_word(low[i]))
			i++;
		start = i;
	}
	if (!*hit) { /* the last piece, empty after a trailing \W */
		memcpy(part, low + start, (nl - start) * sizeof(*part));
		*hit = too_similar(p, part, nl - start, max_similarity);
	}
	if (!*hit) {
		memcpy(part, low, nl * sizeof(*part));
		*hit = too_similar(p, part, nl, max_similarity);
	}
	er = APP_OK;
out:
	free(cp);
	free(low);
	free(part);
	return er;
}

static const char *
user_attr(const struct pwval_user *u, enum pwval_attr a)
{
	switch (a) {
	case PWVAL_ATTR_USERNAME:
		return u->username;
	case PWVAL_ATTR_FIRST_NAME:
		return u->first_name;
	case PWVAL_ATTR_LAST_NAME:
		return u->last_name;
	default:
		return u->email;
	}
}

/* UserAttributeSimilarityValidator: the first attribute that is too close. */
static enum app_err
check_similarity(const struct pwval_rule *r, struct pwval_pw *p,
    const struct pwval_user *user, const char **verbose)
{
	const char *v;
	size_t i;
	bool hit;
	enum app_err er;

	*verbose = NULL;
	if (user == NULL)
		return APP_OK;
	if ((er = pw_lowered(p)) != APP_OK)
		return er;
	if (p->sorted == NULL) {
		p->sorted = calloc(p->nlow + 1, sizeof(*p->sorted));
		if (p->sorted == NULL)
			return APP_ENOMEM;
		memcpy(p->sorted, p->low, p->nlow * sizeof(*p->sorted));
		qsort(p->sorted, p->nlow, sizeof(*p->sorted), cmp_cp);
	}
	for (i = 0; i < r->nattr; i++) {
		v = user_attr(user, r->attr[i]);
		if (v == NULL || *v == '\0')
			continue;
		if ((er = attr_similar(p, v, r->max_similarity, &hit)) !=
		    APP_OK)
			return er;
		if (hit) {
			*verbose = attrs[r->attr[i]].verbose;
			return APP_OK;
		}
	}
	return APP_OK;
}

/* CommonPasswordValidator: password.lower().strip() in the set. */
static enum app_err
check_common(const struct pwval_rule *r, struct pwval_pw *p, bool *hit)
{
	size_t start = 0, end, len;
	enum app_err er;

	if ((er = pw_lowered(p)) != APP_OK)
		return er;
	if (p->utf8 == NULL && (p->utf8 = malloc(4 * p->nlow + 1)) == NULL)
		return APP_ENOMEM;
	end = p->nlow;
	while (start < end && pystr_is_space(p->low[start]))
		start++;
	while (end > start && pystr_is_space(p->low[end - 1]))
		end--;
	len = utf8_encode(p->low + start, end - start, p->utf8);
	*hit = list_has(r->list, p->utf8, len);
	return APP_OK;
}

/* NumericPasswordValidator: str.isdigit(), false for "". */
static bool
is_numeric(const struct pwval_pw *p)
{
	size_t i;

	if (p->n == 0)
		return false;
	for (i = 0; i < p->n; i++)
		if (!pystr_is_digit(p->cp[i]))
			return false;
	return true;
}

static void
pw_wipe(struct pwval_pw *p)
{
	if (p->cp != NULL)
		OPENSSL_cleanse(p->cp, p->cap * sizeof(*p->cp));
	if (p->low != NULL)
		OPENSSL_cleanse(p->low, 2 * p->cap * sizeof(*p->low));
	if (p->sorted != NULL)
		OPENSSL_cleanse(p->sorted, (p->nlow + 1) * sizeof(*p->sorted));
	if (p->utf8 != NULL)
		OPENSSL_cleanse(p->utf8, 4 * p->nlow + 1);
	free(p->cp);
	free(p->low);
	free(p->sorted);
	free(p->utf8);
}

enum app_err
pwval_validate(const struct pwval *pv, const char *pw, size_t pwlen,
    const struct pwval_user *user, const char *field, struct json_object **errs)
{
	struct pwval_pw p = { 0 };
	char msg[160];
	const char *verbose;
	size_t i;
	bool failed = false, hit;
	enum app_err er = APP_ENOMEM;

	/* Room for 2 code points per byte after lower(), 4 bytes each. */
	if (pwlen > SIZE_MAX / (8 * sizeof(uint32_t)) - 1)
		return APP_ENOMEM;
	p.cap = pwlen + 1;
	if ((p.cp = calloc(p.cap, sizeof(*p.cp))) == NULL)
		goto out;
	p.n = utf8_decode(pw, pwlen, p.cp);
	for (i = 0; i < pv->nrule; i++) {
		const struct pwval_rule *r = &pv->rule[i];

		msg[0] = '\0';
		switch (r->kind) {
		case APP_VALIDATOR_MIN_LENGTH:
			/* ngettext's English: "1 character", "8 characters" */
			if (r->min_length > 0 && p.n < (size_t)r->min_length)
				snprintf(msg, sizeof(msg),
				    "This password is too short. It must "
				    "contain at least %d character%s.",
				    r->min_length,
				    r->min_length == 1 ? "" : "s");
			break;
		case APP_VALIDATOR_COMMON:
			if ((er = check_common(r, &p, &hit)) != APP_OK)
				goto out;
			if (hit)
				snprintf(msg, sizeof(msg),
				    "This password is too common.");
			break;
		case APP_VALIDATOR_NUMERIC:
			if (is_numeric(&p))
				snprintf(msg, sizeof(msg),
				    "This password is entirely numeric.");
			break;
		case APP_VALIDATOR_SIMILARITY:
			if ((er = check_similarity(r, &p, user, &verbose)) !=
			    APP_OK)
				goto out;
			if (verbose != NULL)
				snprintf(msg, sizeof(msg),
				    "The password is too similar to the %s.",
				    verbose);
			break;
		default:
			break;
		}
		if (msg[0] == '\0')
			continue;
		if ((er = resp_errors_add(errs, field, msg)) != APP_OK)
			goto out;
		failed = true;
	}
	er = failed ? APP_EINPUT : APP_OK;
out:
	pw_wipe(&p);
	return er;
}
