/*
 * qr.c: a text as a QR code in an SVG data URI (qr.h), the symbol from
 * libqrencode, the base64 from codec.c. The SVG is written twice over
 * the same code: once to count its bytes, once into a buffer of that size.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "codec.h"
#include "log.h"
#include "qr.h"

static const char qr_prefix[] = "data:image/svg+xml;base64,";

/* The SVG as it is written: p NULL only counts; len counts either way. */
struct qr_svg {
	char *p;
	size_t cap, len;
	bool bad;
};

static void qr_put(struct qr_svg *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
qr_put(struct qr_svg *s, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	if (s->p == NULL)
		n = vsnprintf(NULL, 0, fmt, ap);
	else
		n = vsnprintf(s->p + s->len, s->cap - s->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (s->p != NULL && (size_t)n >= s->cap - s->len))
		s->bad = true;
	else
		s->len += (size_t)n;
}

/*
 * The symbol q as SVG into s: a white square with the quiet zone, then
 * one path whose subpaths are the runs of dark modules of each row, each
 * closed rectangle one module high; after "z" the pen is back at the
 * run's start, so each run moves there relative to the one before.
 */
static void
qr_svg_write(const QRcode *q, struct qr_svg *s)
{
	int size = q->width + 2 * QR_QUIET_ZONE,
	    px = size * QR_SVG_PX_PER_MODULE;
	int x, y, end, lx = 0, ly = 0;
	bool first = true;

	qr_put(s,
	    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	    "width=\"%d\" height=\"%d\" shape-rendering=\"crispEdges\">"
	    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path d=\"",
	    size, size, px, px, size, size);
	for (y = 0; y < q->width; y++) {
		/* Bit 0 of each byte: the module is dark. */
		const unsigned char *row = q->data + (size_t)y * q->width;

		for (x = 0; x < q->width; x = end) {
			end = x + 1;
			if ((row[x] & 1) == 0)
				continue;
			while (end < q->width && (row[end] & 1) != 0)
				end++;
			if (first)
				qr_put(s, "M%d %d", x + QR_QUIET_ZONE,
				    y + QR_QUIET_ZONE);
			else
				qr_put(s, "m%d %d", x - lx, y - ly);
			qr_put(s, "h%dv1h-%dz", end - x, end - x);
			first = false;
			lx = x;
			ly = y;
		}
	}
	qr_put(s, "\"/></svg>");
}

/* The error of a libqrencode call that returned NULL, logged. */
static enum app_err
qr_lib_err(const char *what)
{
	if (errno == ENOMEM)
		return APP_ENOMEM;
	log_warn("qr: %s", what);
	return APP_EINTERNAL;
}

enum app_err
qr_svg_data_uri(const char *text, char **out)
{
	QRinput *in = NULL;
	QRcode *q = NULL;
	struct qr_svg s = { 0 };
	char *uri = NULL;
	size_t n, pre = sizeof(qr_prefix) - 1, urisz;
	enum app_err er = APP_EINPUT;

	if ((n = strnlen(text, LIMIT_MFA_QR_TEXT + 1)) > LIMIT_MFA_QR_TEXT)
		goto out;
	/*
	 * Version 0: the smallest that holds the text. No segment at all for
	 * "": libqrencode refuses an empty one, and a symbol of only the
	 * terminator reads back as the empty text.
	 */
	errno = 0;
	if ((in = QRinput_new2(0, QR_ECLEVEL_M)) == NULL) {
		er = qr_lib_err("QRinput_new2");
		goto out;
	}
	if (n > 0 &&
	    QRinput_append(in, QR_MODE_8, (int)n,
		(const unsigned char *)text) != 0) {
		er = qr_lib_err("QRinput_append");
		goto out;
	}
	if ((q = QRcode_encodeInput(in)) == NULL) {
		er = qr_lib_err("QRcode_encodeInput");
		goto out;
	}

	/* Counted (s.p is NULL), then written into a buffer of that size. */
	qr_svg_write(q, &s);
	if (!s.bad) {
		s.cap = s.len + 1;
		s.len = 0;
		if ((s.p = malloc(s.cap)) == NULL) {
			er = APP_ENOMEM;
			goto out;
		}
		qr_svg_write(q, &s);
	}
	er = APP_EINTERNAL;
	if (s.bad)
		goto out;

	er = APP_ENOMEM;
	urisz = pre + codec_b64_len(s.len, CODEC_B64_PAD) + 1;
	if ((uri = malloc(urisz)) == NULL)
		goto out;
	memcpy(uri, qr_prefix, pre);
	if ((er = codec_b64_encode(s.p, s.len, CODEC_B64_PAD, uri + pre,
		 urisz - pre, NULL)) != APP_OK)
		goto out;
	*out = uri;
	uri = NULL;
out:
	free(uri);
	free(s.p);
	QRcode_free(q);
	QRinput_free(in);
	return er;
}
