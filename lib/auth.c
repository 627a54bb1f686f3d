#include <string.h>
#include <strings.h>

#include "auth.h"

/* Python bytes.split() whitespace. */
static bool
ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static bool
valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	unsigned cp;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0 && s[i] >= 0xc2) {
			need = 1;
			cp = s[i] & 0x1f;
		} else if ((s[i] & 0xf0) == 0xe0) {
			need = 2;
			cp = s[i] & 0x0f;
		} else if ((s[i] & 0xf8) == 0xf0 && s[i] <= 0xf4) {
			need = 3;
			cp = s[i] & 0x07;
		} else
			return false;
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += need + 1;
	}
	return true;
}

enum app_err
auth_request(const struct app_config *cfg, struct db *db, const struct req *r,
    struct auth_result *out, const char **msg)
{
	const char *h = r->authorization, *w[3];
	size_t wl[3], nw = 0;
	enum app_err er;

	memset(out, 0, sizeof(*out));
	out->kind = AUTH_NONE;
	if (h == NULL || cfg->rest_auth.token_model == NULL)
		return APP_OK;
	/* bytes.split(): up to three words are all we need to judge. */
	while (*h != '\0' && nw < 3) {
		while (ws(*h))
			h++;
		if (*h == '\0')
			break;
		w[nw] = h;
		while (*h != '\0' && !ws(*h))
			h++;
		wl[nw] = (size_t)(h - w[nw]);
		nw++;
	}
	if (nw == 0 || wl[0] != 5 || strncasecmp(w[0], "token", 5) != 0)
		return APP_OK;
	if (nw == 1) {
		*msg = "Invalid token header. No credentials provided.";
		return APP_EAUTH;
	}
	if (nw > 2) {
		*msg = "Invalid token header. Token string should not contain "
		       "spaces.";
		return APP_EAUTH;
	}
	if (!valid_utf8((const unsigned char *)w[1], wl[1])) {
		*msg = "Invalid token header. Token string should not contain "
		       "invalid characters.";
		return APP_EAUTH;
	}
	*msg = "Invalid token.";
	/* Longer than the column: no row can match. */
	if (wl[1] > LIMIT_TOKEN_KEY || memchr(w[1], '\0', wl[1]) != NULL)
		return APP_EAUTH;
	memcpy(out->key, w[1], wl[1]);
	out->key[wl[1]] = '\0';
	er = db_user_by_token(db, out->key, &out->user);
	if (er == APP_ENOTFOUND)
		return APP_EAUTH;
	if (er != APP_OK)
		return er;
	if (!out->user.is_active) {
		*msg = "User inactive or deleted.";
		return APP_EAUTH;
	}
	out->kind = AUTH_TOKEN;
	return APP_OK;
}
