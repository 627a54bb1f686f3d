/*
 * host.h: Django's HttpRequest.get_host: the Host header (else
 * SERVER_NAME and SERVER_PORT), well-formed and allowed by ALLOWED_HOSTS,
 * else the request is refused (DisallowedHost: 400) before anything
 * builds a URL or an origin from it.
 */
#ifndef RESTAUTH_HOST_H
#define RESTAUTH_HOST_H

#include <stdbool.h>

#include "app.h"

struct app_config;
struct req;

/*
 * Room for a host with its port: a DNS name has at most 253 characters,
 * an IPv6 literal in brackets fewer; ":65535" and the NUL fit in 272.
 */
#define HOST_BYTES 272

/*
 * Django's split_domain_port: host lower-cased, its port and one
 * trailing dot dropped; an IPv6 literal keeps its brackets. APP_OK with
 * domain set; APP_EINPUT for a malformed (or too long) host.
 */
enum app_err host_split(const char *host, char domain[HOST_BYTES]) APP_WUR;

/*
 * Django's is_same_domain: pattern (any case) is host, or ".example.com"
 * is example.com or any subdomain of it. host is lower case.
 */
bool host_same_domain(const char *host, const char *pattern);

/*
 * Django's get_host: the request's host as the client gave it (port
 * included) in out. APP_OK; APP_EINPUT when it is malformed or not in
 * ALLOWED_HOSTS ("*" allows any well-formed host).
 */
enum app_err host_get(const struct app_config *cfg, const struct req *r,
    char out[HOST_BYTES]) APP_WUR;

/*
 * Django's is_secure: whether the request came over https (HTTPS=on, or
 * the SECURE_PROXY_SSL_HEADER header with its value).
 */
bool host_is_secure(const struct app_config *cfg, const struct req *r);

#endif
