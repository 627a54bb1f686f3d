/*
 * test_qr.c: lib/mfa/qr.c. Each data URI is decoded and its SVG checked
 * (one path of whole, merged runs inside the quiet zone, the viewBox of
 * the smallest version that holds the text), then read back for real:
 * rasterised by librsvg's rsvg-convert and scanned by zbar's zbarimg,
 * which must give the text byte for byte. Both tools are test
 * dependencies (make deps installs librsvg2-bin and zbar-tools): without
 * them the test fails, it does not skip. Then the bound and "".
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "codec.h"
#include "qr.h"
#include "totp.h"
#include "testhelp.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char prefix[] = "data:image/svg+xml;base64,";
/* Modules of the largest symbol (version 40) with its quiet zone. */
#define SIDE_MAX (177 + 2 * QR_QUIET_ZONE)
/* What zbarimg may print for one symbol: the longest text and more. */
#define SCAN_MAX (2 * LIMIT_MFA_QR_TEXT + 64)

/* A temporary folder for the SVG and PNG of each scan. */
static char tmpdir[] = "/tmp/test_qr.XXXXXX";

/* The SVG in uri, malloc'd and NUL-terminated, or NULL if not base64. */
static char *
svg_of(const char *uri, size_t *n)
{
	size_t pre = sizeof(prefix) - 1, len = strlen(uri), cap;
	char *svg;

	if (len < pre || memcmp(uri, prefix, pre) != 0)
		return NULL;
	cap = (len - pre) / 4 * 3 + 1;
	if ((svg = malloc(cap)) == NULL)
		return NULL;
	if (codec_b64_decode(uri + pre, len - pre, CODEC_B64_PAD,
		(unsigned char *)svg, cap - 1, n) != APP_OK) {
		free(svg);
		return NULL;
	}
	svg[*n] = '\0';
	return svg;
}

/* The int at *p, which is moved past it; false if none. */
static bool
read_int(const char **p, int *v)
{
	char *end;
	long l = strtol(*p, &end, 10);

	if (end == *p || l < -SIDE_MAX || l > SIDE_MAX)
		return false;
	*v = (int)l;
	*p = end;
	return true;
}

/* Whether *p starts with s; if so, *p moves past it. */
static bool
eat(const char **p, const char *s)
{
	size_t n = strlen(s);

	if (strncmp(*p, s, n) != 0)
		return false;
	*p += n;
	return true;
}

/*
 * Whether d (up to the closing quote) is what qr.c writes: subpaths
 * "Mx y" (the first) or "mdx dy" (from the last one's start), then
 * "hKv1h-Kz", each a run of K dark modules in one row, all inside the
 * quiet zone of a side x side symbol, none overlapping, and none
 * touching another on its row (merged runs: as many as the rows hold).
 */
static bool
path_ok(const char *d, int side)
{
	static unsigned char grid[SIDE_MAX][SIDE_MAX];
	int x = 0, y = 0, dx, dy, k, k2, i, runs = 0, want = 0;
	bool first = true;

	memset(grid, 0, sizeof(grid));
	while (*d != '"') {
		if (!eat(&d, first ? "M" : "m") || !read_int(&d, &dx) ||
		    !eat(&d, " ") || !read_int(&d, &dy) || !eat(&d, "h") ||
		    !read_int(&d, &k) || !eat(&d, "v1h-") ||
		    !read_int(&d, &k2) || !eat(&d, "z") || k != k2 || k < 1)
			return false;
		x = first ? dx : x + dx;
		y = first ? dy : y + dy;
		first = false;
		if (y < QR_QUIET_ZONE || y >= side - QR_QUIET_ZONE ||
		    x < QR_QUIET_ZONE || x + k > side - QR_QUIET_ZONE)
			return false;
		for (i = x; i < x + k; i++) {
			if (grid[y][i])
				return false;
			grid[y][i] = 1;
		}
		runs++;
	}
	for (y = 0; y < side; y++)
		for (x = 0; x < side; x++)
			if (grid[y][x] && (x == 0 || !grid[y][x - 1]))
				want++;
	return runs == want;
}

/*
 * Whether svg is one standalone SVG of one path as qr.c writes it, for
 * a symbol of side modules (quiet zone included) at QR_SVG_PX_PER_MODULE
 * pixels each.
 */
static bool
svg_ok(const char *svg, int side)
{
	char head[256];
	const char *p, *end = "\"/></svg>";
	size_t n = strlen(svg);

	snprintf(head, sizeof(head),
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path d=\"",
	    side, side, side * QR_SVG_PX_PER_MODULE,
	    side * QR_SVG_PX_PER_MODULE, side, side);
	if (strncmp(svg, head, strlen(head)) != 0)
		return false;
	if (n < strlen(end) || strcmp(svg + n - strlen(end), end) != 0)
		return false;
	p = strstr(svg, "<path");
	if (p == NULL || strstr(p + 1, "<path") != NULL ||
	    strstr(svg, "<svg") != svg || strstr(svg + 1, "<svg") != NULL)
		return false;
	return path_ok(svg + strlen(head), side);
}

/* The side of the viewBox svg states, or 0. */
static int
svg_side(const char *svg)
{
	const char *p = strstr(svg, "viewBox=\"0 0 ");
	int side;

	if (p == NULL)
		return 0;
	p += strlen("viewBox=\"0 0 ");
	if (!read_int(&p, &side))
		return 0;
	return side;
}

/* Whether both tools are on PATH. */
static bool
tools_present(void)
{
	FILE *f = popen("command -v rsvg-convert >/dev/null && "
			"command -v zbarimg >/dev/null",
	    "r");

	return f != NULL && pclose(f) == 0;
}

/*
 * svg (n bytes) rasterised and scanned: zbarimg's stdout into out
 * (SCAN_MAX bytes), its length, or -1 if a step failed (no symbol found
 * included). -Sbinary: the symbol's bytes as they are, no newline after
 * them and no guess at their charset (zbar takes unmarked non-ASCII
 * bytes for Shift JIS or Latin-1 and converts them to UTF-8 otherwise).
 */
static long
scan(const char *svg, size_t n, char *out)
{
	char svgpath[64], pngpath[64], cmd[512];
	FILE *f;
	size_t got = 0, k;
	long r = -1;

	snprintf(svgpath, sizeof(svgpath), "%s/qr.svg", tmpdir);
	snprintf(pngpath, sizeof(pngpath), "%s/qr.png", tmpdir);
	if ((f = fopen(svgpath, "wb")) == NULL)
		return -1;
	k = fwrite(svg, 1, n, f);
	if (fclose(f) != 0 || k != n)
		goto out;
	snprintf(cmd, sizeof(cmd), "rsvg-convert -f png -o '%s' '%s'", pngpath,
	    svgpath);
	if ((f = popen(cmd, "r")) == NULL || pclose(f) != 0)
		goto out;
	snprintf(cmd, sizeof(cmd), "zbarimg --nodbus --raw -q -Sbinary '%s'",
	    pngpath);
	if ((f = popen(cmd, "r")) == NULL)
		goto out;
	while (
	    got < SCAN_MAX && (k = fread(out + got, 1, SCAN_MAX - got, f)) > 0)
		got += k;
	if (pclose(f) == 0)
		r = (long)got;
out:
	unlink(svgpath);
	unlink(pngpath);
	return r;
}

/*
 * text (NULL fails) through qr_svg_data_uri: a well-formed SVG of side
 * modules (0: any version's), which zbarimg reads back byte for byte.
 */
static void
roundtrip(const char *text, int side)
{
	static char got[SCAN_MAX];
	char *uri = NULL, *svg = NULL;
	size_t n = 0, tlen;
	long r;
	int s;

	T_ASSERT(text != NULL);
	if (text == NULL)
		return;
	tlen = strlen(text);
	T_ASSERT(qr_svg_data_uri(text, &uri) == APP_OK && uri != NULL);
	if (uri == NULL)
		return;
	T_ASSERT((svg = svg_of(uri, &n)) != NULL);
	if (svg == NULL)
		goto out;
	s = svg_side(svg);
	/* Versions 1..40: 21 + 4 (v - 1) modules and the quiet zone. */
	T_ASSERT(s >= 21 + 2 * QR_QUIET_ZONE && s <= SIDE_MAX &&
	    (s - 21 - 2 * QR_QUIET_ZONE) % 4 == 0);
	T_ASSERT(side == 0 || s == side);
	T_ASSERT(svg_ok(svg, s));
	r = scan(svg, n, got);
	T_ASSERT(r == (long)tlen && memcmp(got, text, tlen) == 0);
	if (r != (long)tlen || memcmp(got, text, tlen) != 0)
		fprintf(stderr,
		    "FAIL scan of %zu bytes \"%.60s...\" gave %ld\n", tlen,
		    text, r);
out:
	free(svg);
	free(uri);
}

/* The otpauth:// URI of totp_uri for name and issuer, malloc'd. */
static char *
uri_of(const char *name, const char *issuer, unsigned digits, unsigned period)
{
	char *u = NULL;

	T_ASSERT(totp_uri("JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", name, issuer,
		     digits, period, &u) == APP_OK);
	return u;
}

static void
test_uris(void)
{
	char name[501], *u;
	size_t i;

	/* Short: version 1 (14 bytes at level M), 21 + 8 modules. */
	roundtrip("otpauth://x", 29);
	/* The default issuer (none), a typical account. */
	u = uri_of("alice@example.com", "", 6, 30);
	roundtrip(u, 0);
	free(u);
	u = uri_of("alice@example.com", "restauth", 6, 30);
	roundtrip(u, 0);
	free(u);
	/* A 1000-byte label: 250 "a@", each quoted "a%40". */
	for (i = 0; i < 250; i++)
		memcpy(name + 2 * i, "a@", 2);
	name[500] = '\0';
	u = uri_of(name, "", 6, 30);
	T_ASSERT(u != NULL && strstr(u, "%40a%40") != NULL &&
	    strcspn(u + strlen("otpauth://totp/"), "?") == 1000);
	roundtrip(u, 0);
	free(u);
	/* A UTF-8 issuer and name, quoted; other digits and period. */
	u = uri_of("j\xc3\xb6rg@example.com",
	    "Soci\xc3\xa9t\xc3\xa9 \xe2\x9c\x93", 8, 60);
	T_ASSERT(
	    u != NULL && strstr(u, "Soci%C3%A9t%C3%A9%20%E2%9C%93") != NULL);
	roundtrip(u, 0);
	free(u);
	/* UTF-8 bytes as they are: 8-bit mode keeps every byte. */
	roundtrip("otpauth://totp/Soci\xc3\xa9t\xc3\xa9:j\xc3\xb6rg?secret=AB",
	    0);
}

/* 100 bytes: version 6 (84 < 100 <= 106 bytes at level M), 41 + 8. */
static void
test_typical_size(void)
{
	char *u = NULL, *svg = NULL;
	size_t n = 0;
	static const char text[] =
	    "otpauth://totp/restauth:alice0%40example.com"
	    "?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	    "&issuer=restauth";

	T_ASSERT(strlen(text) == 100);
	roundtrip(text, 49);
	T_ASSERT(qr_svg_data_uri(text, &u) == APP_OK);
	if (u != NULL && (svg = svg_of(u, &n)) != NULL)
		printf("a 100-byte URI: SVG of %zu bytes, data URI of %zu\n", n,
		    strlen(u));
	/* Merged runs keep it small: well under one run per dark module. */
	T_ASSERT(svg != NULL && n < 6 * 1024);
	free(svg);
	free(u);
}

static void
test_bounds(void)
{
	char *big = malloc(LIMIT_MFA_QR_TEXT + 2), *u = (char *)"sentinel";
	size_t i;

	T_ASSERT(big != NULL);
	if (big == NULL)
		return;
	for (i = 0; i < LIMIT_MFA_QR_TEXT + 1; i++)
		big[i] = "otpauth://totp/%41?secret=&"[i % 27];
	/* One byte over: no QR code at level M holds it; out untouched. */
	big[LIMIT_MFA_QR_TEXT + 1] = '\0';
	T_ASSERT(qr_svg_data_uri(big, &u) == APP_EINPUT);
	T_STREQ(u, "sentinel");
	/* Exactly the bound: version 40, read back whole. */
	big[LIMIT_MFA_QR_TEXT] = '\0';
	roundtrip(big, SIDE_MAX);
	/* "": a symbol of no data, read back as the empty text. */
	roundtrip("", 29);
	free(big);
}

int
main(void)
{
	bool tools = tools_present();

	T_ASSERT(tools);
	if (!tools)
		fprintf(stderr,
		    "FAIL rsvg-convert or zbarimg is missing: "
		    "make deps installs librsvg2-bin and zbar-tools\n");
	T_ASSERT(mkdtemp(tmpdir) != NULL);
	test_uris();
	test_typical_size();
	test_bounds();
	rmdir(tmpdir);
	return T_DONE();
}
