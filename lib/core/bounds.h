/*
 * bounds.h: every size, depth and count limit in one place, each with
 * its reason (after SQLite's sqliteLimit.h). SPEC.md wins where it names
 * a limit; the config may lower MAX_BODY_BYTES.
 */
#ifndef RESTAUTH_BOUNDS_H
#define RESTAUTH_BOUNDS_H

/* SPEC 7: default request body cap; config MAX_BODY_BYTES overrides. */
#define LIMIT_BODY_DEFAULT (64 * 1024)
/* Hard ceiling for MAX_BODY_BYTES: no auth request needs more. */
#define LIMIT_BODY_MAX (1024 * 1024)
/* JSON nesting: our bodies are flat objects; 16 leaves room, stops stack games.
 */
#define LIMIT_JSON_DEPTH 16
/* Members in one JSON object or form body: bounds the duplicate-key scan. */
#define LIMIT_JSON_MEMBERS 256
/* Bytes of one JSON string or form value, before field limits apply. */
#define LIMIT_JSON_STRING (16 * 1024)
/* Django's AbstractUser.username max_length. */
#define LIMIT_USERNAME 150
/* Django's first_name/last_name max_length (3.1+). */
#define LIMIT_NAME 150
/* Django's EmailField max_length (RFC 5321 path limit), in characters. */
#define LIMIT_EMAIL 254
/* The same address in bytes: UTF-8 takes up to 4 per character (an IDN
 * domain), so every buffer or byte check of a stored address uses this. */
#define LIMIT_EMAIL_BYTES (4 * LIMIT_EMAIL)
/* Django's EmailValidator refuses longer input outright (characters). */
#define LIMIT_EMAIL_VALIDATOR 320
#define LIMIT_EMAIL_VALIDATOR_BYTES (4 * LIMIT_EMAIL_VALIDATOR)
/* Passwords: long enough for any passphrase, short enough to bound hashing. */
#define LIMIT_PASSWORD 4096
/* A token a client presents (opaque key or JWT). */
#define LIMIT_TOKEN 4096
/* DRF's Token.key: 40 hex characters. */
#define LIMIT_TOKEN_KEY 40
/* One header value we read (Authorization, Cookie, ...). */
#define LIMIT_HEADER 8192
/* Cookies in one Cookie header. */
#define LIMIT_COOKIES 64
/* Django's auth_user.password is varchar(128). */
#define LIMIT_HASH 128
/* Config file size: a settings file is a few KiB. */
#define LIMIT_CONFIG_BYTES (256 * 1024)
/* Response headers one answer may carry. */
#define LIMIT_RESP_HEADERS 32
/*
 * Seconds a FastCGI connection may take to deliver its BEGIN_REQUEST
 * and PARAMS records, counted from its accept (or, on a kept
 * connection, its first byte), and that any one read of the body
 * (STDIN) the view reads may wait for its next bytes. A web server writes the
 * params at once, and buffers the body before passing it on (nginx, lighttpd,
 * Apache by default), so a few seconds is generous; a connection still short
 * after it only holds a worker. lighttpd's server.stream-request-body passes a
 * slow client's body on as it comes: then a body slower than this is refused.
 */
#define LIMIT_FCGI_READ_SECONDS 5
/*
 * Bytes of BEGIN_REQUEST and PARAMS records (headers and padding too)
 * checked before libfcgi reads them: over nginx's 32 KiB of request
 * headers (large_client_header_buffers) and lighttpd's 8 KiB plus the
 * CGI variables, and under the 64 KiB a TCP socket takes in at first,
 * so that a valid request always fits in what the socket holds.
 */
#define LIMIT_FCGI_PARAMS_BYTES (48 * 1024)
/*
 * Connections one FastCGI process holds while their params arrive (or
 * kept by the web server between requests); more wait in the listening
 * socket's backlog.
 */
#define LIMIT_FCGI_PENDING 16

/*
 * MFA (SPEC-mfa 1, 4.1 M1). A login (ephemeral) or activation token a
 * client sends back: upstream leaves them unbounded; they are ~75 and
 * ~140 characters, so 512 is the cap M1 proposes.
 */
#define LIMIT_MFA_TOKEN 512
/* A TOTP or recovery code field (M1's 32; verify's own is DRF's 9). */
#define LIMIT_MFA_CODE 32
/* mfa/verify/'s code: upstream's max_length, which also bounds
 * MFA_TOTP_DIGITS (a longer TOTP could never pass it). */
#define LIMIT_MFA_VERIFY_CODE 9
/* Base32 characters of a TOTP secret read back: pyotp writes 32
 * (160 bits); 128 (640 bits) leaves room for longer ones. */
#define LIMIT_MFA_SECRET 128
/* Recovery codes per user: used_mask is read as 64 bits. Upstream's
 * default MFA_RECOVERY_CODE_COUNT is 10. */
#define LIMIT_MFA_RECOVERY_CODES 64
/* Bytes of the account name and of the issuer in an otpauth:// URI: an
 * e-mail address (LIMIT_EMAIL_BYTES) or a username fits. */
#define LIMIT_MFA_LABEL 1024
/*
 * Bytes of a text drawn as a QR code (qr.c), the otpauth:// URI: 2331,
 * the most a QR code holds in 8-bit mode at error-correction level M
 * (version 40, ISO/IEC 18004's capacity table), so every text within it is
 * drawn. The URI quotes the name and the issuer (each LIMIT_MFA_LABEL
 * bytes at most) as %XX, the issuer twice: an e-mail address and a short
 * issuer fit with room to spare, but the longest labels (up to 3 times
 * LIMIT_MFA_LABEL bytes each once quoted) cannot be drawn at all.
 */
#define LIMIT_MFA_QR_TEXT 2331

/*
 * Passkeys (SPEC-mfa-passkeys-social 2, 4.2). A credential ID: WebAuthn
 * Level 3 (6.1, credentialIdLength) caps it at 1023 bytes.
 */
#define LIMIT_PASSKEY_CRED_ID 1023
/* authenticatorData: 37 fixed bytes, the attested credential data (an
 * ID of LIMIT_PASSKEY_CRED_ID, a COSE key: an RSA-4096 one is ~530
 * bytes) and extensions; 4 KiB is twice what that needs. */
#define LIMIT_PASSKEY_AUTHDATA 4096
/* An attestation object: authData and a packed statement with a few
 * certificates of LIMIT_PASSKEY_CERT bytes. */
#define LIMIT_PASSKEY_ATTOBJ (32 * 1024)
/* One DER certificate of a packed statement's x5c, and how many. */
#define LIMIT_PASSKEY_CERT 4096
#define LIMIT_PASSKEY_X5C 4
/* clientDataJSON: browsers write ~250 bytes (a 64-byte challenge in
 * base64url, the origin, crossOrigin and an occasional extra key). */
#define LIMIT_PASSKEY_CLIENTDATA 4096
/* A signature: an RS256 one is the modulus length (LIMIT_PASSKEY_RSA_BITS),
 * DER ES256 72 bytes, EdDSA 64. */
#define LIMIT_PASSKEY_SIG 512
/* RSA moduli of an RS256 credential: 2048 bits at least (NIST SP 800-131A),
 * 4096 at most, which bounds the cost of one verification. */
#define LIMIT_PASSKEY_RSA_MIN_BITS 2048
#define LIMIT_PASSKEY_RSA_BITS 4096
/* CBOR nesting (attestation object > attStmt > x5c > certificate is 3;
 * extensions go a level or two deeper) and items in one CBOR text: both
 * bound the strict reader before libcbor allocates anything. */
#define LIMIT_CBOR_DEPTH 8
#define LIMIT_CBOR_ITEMS 1024

#endif
