"""Who a throttle counts (SPEC section 6): the client address.

DRF's get_ident keys an anonymous request on X-Forwarded-For, with
NUM_PROXIES None on the whole header with its spaces removed: a client
that writes a new header each time gets a fresh quota each time, and one
that writes " 127.0.0. 1" spends the quota of the client at 127.0.0.1.
restauth's rule:
- NUM_PROXIES null or 0: REMOTE_ADDR, always; the header is ignored.
- NUM_PROXIES n: the entry DRF takes (addrs[-min(n, len(addrs))],
  trimmed) if it parses as one IPv4 or IPv6 address, in canonical form
  (inet_ntop: "0:0::1" is "::1"); anything else (a name, a port,
  brackets, inner spaces, an empty entry, bytes that are not UTF-8) falls
  back to REMOTE_ADDR, and never gives a 5xx.

Two clients need two addresses: the "other" client connects from
127.0.0.2 (any 127/8 address is the loopback on Linux: Stack.request's source)."""
import harness as h

t = h.Tests(__file__)

FAST = h.FAST_HASHER
SCOPED = "rest_framework.throttling.ScopedRateThrottle"
LOGIN = "/auth/login/"
LOGOUT = "/auth/logout/"
OTHER = "127.0.0.2"


def config(rate, num_proxies="absent"):
    rf = {"DEFAULT_THROTTLE_CLASSES": [SCOPED],
          "DEFAULT_THROTTLE_RATES": {"dj_rest_auth": rate}}
    if num_proxies != "absent":
        rf["NUM_PROXIES"] = num_proxies
    return {"REST_FRAMEWORK": rf, "PASSWORD_HASHER": FAST}


def rows(s):
    return sorted(r[0] for r in s.sql(
        "SELECT ident FROM restauth_throttle WHERE scope = 'dj_rest_auth'"))


def clear(s):
    s.sql("DELETE FROM restauth_throttle")


def no_proxies_rotating(s):
    """NUM_PROXIES unset: a client rotating X-Forwarded-For stays one
    client (on DRF's rule every value was a fresh quota)."""
    clear(s)
    st = []
    for i in range(6):
        xff = "203.0.113.%d" % (i + 1)
        r = s.post(LOGIN, source=OTHER, headers={"X-Forwarded-For": xff},
                   json={"username": "user%d" % i, "password": "guess"})
        st.append(r.status)
    t.eq("rotating X-Forwarded-For: 2 guesses, then 429", st,
         [400, 400, 429, 429, 429, 429])
    t.eq("rotating X-Forwarded-For: one key, the connection's address",
         rows(s), [OTHER])


def no_proxies_theft(s):
    """" 127.0.0. 1" from another address does not spend 127.0.0.1's
    quota (on DRF's rule it was the key "127.0.0.1")."""
    clear(s)
    for i in range(2):
        r = s.post(LOGOUT, source=OTHER,
                   headers={"X-Forwarded-For": " 127.0.0. 1"})
        t.eq("spoofing client's logout %d: its own quota" % i, r.status, 200)
    r = s.post(LOGOUT, source=OTHER, headers={"X-Forwarded-For": "127.0.0.1"})
    t.eq("spoofing client's 3rd: throttled as itself", r.status, 429)
    r = s.post(LOGOUT)
    t.eq("the client at 127.0.0.1 still has its quota", r.status, 200)
    t.eq("keys: the two connections' addresses", rows(s),
         ["127.0.0.1", OTHER])


def zero_proxies(s):
    clear(s)
    for xff in ("10.0.0.1", "10.0.0.2"):
        r = s.post(LOGOUT, headers={"X-Forwarded-For": xff})
        t.eq("NUM_PROXIES 0: XFF %s accepted" % xff, r.status, 200)
    r = s.post(LOGOUT, headers={"X-Forwarded-For": "10.0.0.3"})
    t.eq("NUM_PROXIES 0: XFF ignored, REMOTE_ADDR's 3rd is 429", r.status,
         429)
    t.eq("NUM_PROXIES 0: keys", rows(s), ["127.0.0.1"])


GARBAGE = [
    ("a name", b"proxy.example"),
    ("a port", b"10.0.0.9:8080"),
    ("brackets", b"[::1]"),
    ("an inner space", b"10.0.0. 9"),
    ("an empty entry", b"10.0.0.9, "),
    ("only blanks", b"   "),
    ("empty", b""),
    ("invalid UTF-8", b"\xff\xfe10.0.0.9"),
    ("invalid UTF-8 alone", b"\xc3\x28"),
    ("an IPv6 zone", b"fe80::1%eth0"),
    ("a CIDR", b"10.0.0.0/8"),
    ("two addresses in one entry", b"10.0.0.9 10.0.0.8"),
    ("leading zeros", b"010.000.000.009"),
]


def one_proxy(s):
    clear(s)
    r = s.post(LOGOUT, headers={"X-Forwarded-For": "6.6.6.6,  10.0.0.1 "})
    t.eq("NUM_PROXIES 1: a valid last entry: accepted", r.status, 200)
    t.eq("NUM_PROXIES 1: the last entry, trimmed, is the key", rows(s),
         ["10.0.0.1"])
    clear(s)
    for what, xff in GARBAGE:
        r = s.post(LOGOUT, headers={"X-Forwarded-For": xff})
        t.eq("NUM_PROXIES 1: X-Forwarded-For with %s: answered, no 5xx" %
             what, r.status, 200)
    t.eq("NUM_PROXIES 1: every bad entry fell back to REMOTE_ADDR",
         rows(s), ["127.0.0.1"])
    r = s.post(LOGIN, headers={"X-Forwarded-For": b"\xff\xfe"},
               json={"username": "nobody", "password": "guess"})
    t.eq("NUM_PROXIES 1: invalid UTF-8 on login/: 400, not 503", r.status,
         400)


def one_proxy_ipv6(s):
    clear(s)
    forms = ["::1", "0:0::1", "0000:0000:0000:0000:0000:0000:0000:0001"]
    st = [s.post(LOGOUT, headers={"X-Forwarded-For": x}).status
          for x in forms]
    t.eq("NUM_PROXIES 1: three spellings of ::1 are one client (2/minute)",
         st, [200, 200, 429])
    r = s.post(LOGOUT, headers={"X-Forwarded-For": "2001:DB8::A"})
    t.eq("NUM_PROXIES 1: another IPv6 client", r.status, 200)
    r = s.post(LOGOUT, headers={"X-Forwarded-For": "2001:db8:0::a"})
    t.eq("NUM_PROXIES 1: ... counted as itself in any case", r.status, 200)
    r = s.post(LOGOUT, headers={"X-Forwarded-For": "2001:0db8::000a"})
    t.eq("NUM_PROXIES 1: ... and its 3rd is 429", r.status, 429)
    t.eq("NUM_PROXIES 1: canonical keys", rows(s), ["2001:db8::a", "::1"])


with h.Stack(config("2/minute")) as s:
    t.run(no_proxies_rotating, s)
    t.run(no_proxies_theft, s)
with h.Stack(config("2/minute", num_proxies=0)) as s:
    t.run(zero_proxies, s)
with h.Stack(config("100/minute", num_proxies=1)) as s:
    t.run(one_proxy, s)
with h.Stack(config("2/minute", num_proxies=1)) as s:
    t.run(one_proxy_ipv6, s)
t.done()
