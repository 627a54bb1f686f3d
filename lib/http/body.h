/*
 * body.h: strict decoding of request bodies into json-c trees.
 *
 * JSON goes through our own RFC 8259 parser, not json_tokener: json-c
 * keeps the last of duplicate keys without a word and its messages are
 * not Python's. Here duplicates are refused, depth, members and string
 * lengths are bounded by lib/core/bounds.h, and the messages are the ones
 * DRF's JSONParser puts after "JSON parse error - " (Python 3.11's
 * UTF-8 codec and json module, DRF's strict constants), so an endpoint
 * can answer {"detail": "JSON parse error - <msg>"} as DRF does.
 */
#ifndef RESTAUTH_BODY_H
#define RESTAUTH_BODY_H

#include <stddef.h>

#include <json-c/json.h>

#include "app.h"

/* A msg buffer this size holds every message without truncation. */
#define BODY_MSG_SIZE 256

/*
 * Parse buf[0..len) as one JSON text of any type. On APP_OK *out is a
 * new json-c reference the caller must json_object_put; it is NULL when
 * the text is "null", so callers check the type they expect. Integers
 * that fit int64 become json_type_int, other numbers json_type_double.
 * Strings may contain U+0000 (json_object_get_string_len tells the real
 * length); keys may not.
 * APP_EINPUT: msg (size msgsz, may be 0) holds the reason in Python's
 * words, e.g. "Expecting value: line 1 column 1 (char 0)" or
 * "'utf-8' codec can't decode byte 0xff in position 0: invalid start
 * byte"; also for what Python would accept but we refuse: nesting over
 * LIMIT_JSON_DEPTH, more than LIMIT_JSON_MEMBERS members or elements in
 * one container, a decoded string over LIMIT_JSON_STRING bytes, a
 * duplicate key, a key containing \u0000, an unpaired \uD800-\uDFFF
 * escape, NaN/Infinity, a number that overflows a double.
 * APP_ENOMEM: allocation failed. *out is written only on APP_OK.
 * Recursion is bounded by LIMIT_JSON_DEPTH.
 */
enum app_err body_json_parse(const char *buf, size_t len,
    struct json_object **out, char *msg, size_t msgsz) APP_WUR;

/*
 * Parse application/x-www-form-urlencoded buf[0..len) as Django's
 * QueryDict does (urllib.parse.parse_qsl, keep_blank_values): split on
 * '&', skip empty pieces, split each at its first '=' (none: value ""),
 * '+' is a space, %XX is a byte and a malformed % stays literal. On
 * APP_OK *out is a new json-c object of strings the caller must
 * json_object_put; values keep %00 (check json_object_get_string_len).
 * APP_EINPUT (msg as above): decoded bytes not UTF-8, a duplicate
 * field, a NUL in a field name, more than LIMIT_JSON_MEMBERS fields, a
 * decoded name or value over LIMIT_JSON_STRING bytes.
 * APP_ENOMEM: allocation failed. *out is written only on APP_OK.
 */
enum app_err body_form_parse(const char *buf, size_t len,
    struct json_object **out, char *msg, size_t msgsz) APP_WUR;

#endif
