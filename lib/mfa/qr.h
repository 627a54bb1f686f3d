/*
 * qr.h: a text (the otpauth:// URI of totp_uri) as a QR code in an SVG
 * data URI, for the qr_code_data_uri of GET mfa/totp/activate/ (SPEC-mfa
 * 4.1), so a client shows it without a QR library of its own. Debian's
 * libqrencode makes the symbol: 8-bit mode, error-correction level M
 * (what authenticator apps read well), the smallest version that holds
 * the text. The bytes go in as they are, with no ECI charset mark: the
 * URI is ASCII (totp_uri writes the rest as %XX). The SVG has a 4-module
 * quiet zone on a white square and the dark modules as one path of
 * horizontal runs; its viewBox counts modules, and width and height
 * give QR_SVG_PX_PER_MODULE pixels each.
 */
#ifndef RESTAUTH_QR_H
#define RESTAUTH_QR_H

#include "app.h"
#include "bounds.h"

/* Light modules around the symbol on each side (ISO/IEC 18004's). */
#define QR_QUIET_ZONE 4
/*
 * CSS pixels per module at the SVG's width and height: a URI of about
 * 100 bytes (version 6, 41 modules, 49 with the quiet zone) shows at
 * 196 pixels, the size of an authenticator setup page's code, and the
 * largest (version 40) at 740. A page may scale it: the viewBox keeps it
 * sharp.
 */
#define QR_SVG_PX_PER_MODULE 4

/*
 * The NUL-terminated text (0..LIMIT_MFA_QR_TEXT bytes, any bytes but NUL,
 * kept byte for byte; "" too) as
 *   data:image/svg+xml;base64,<standard base64 with '=' of the SVG>
 * into *out, malloc'd, NUL-terminated; the caller frees it. *out is
 * written only on success. APP_EINPUT for a text over LIMIT_MFA_QR_TEXT
 * bytes (no QR code at level M holds it), APP_ENOMEM, APP_EINTERNAL if
 * libqrencode fails otherwise (logged with its errno).
 */
enum app_err qr_svg_data_uri(const char *text, char **out) APP_WUR;

#endif
