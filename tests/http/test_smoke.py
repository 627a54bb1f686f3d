"""The issue's acceptance path: a user made with the admin tool logs in,
reads and updates user/, logs out, and the token is refused after."""
import harness as h

t = h.Tests(__file__)


def flow(s):
    s.createuser("alice", "correct horse", email="alice@example.com")
    r = s.post("/auth/login/", json={"username": "alice",
                                     "password": "correct horse"})
    t.eq("login status", r.status, 200)
    key = r.json["key"]
    t.check("key is 40 hex", len(key) == 40 and
            all(c in "0123456789abcdef" for c in key), key)
    t.eq("no-store", r.header("Cache-Control"), "no-store")
    r = s.get("/auth/user/", token=key)
    t.eq("user status", r.status, 200)
    t.eq("user body", r.json, {"pk": r.json["pk"], "username": "alice",
                               "email": "alice@example.com",
                               "first_name": "", "last_name": ""})
    r = s.request("PATCH", "/auth/user/", token=key,
                  json={"first_name": "Alice"})
    t.eq("patch status", r.status, 200)
    t.eq("patch body", r.json["first_name"], "Alice")
    r = s.post("/auth/logout/", token=key)
    t.eq("logout", (r.status, r.json),
         (200, {"detail": "Successfully logged out."}))
    r = s.get("/auth/user/", token=key)
    t.eq("token refused after logout", (r.status, r.json),
         (401, {"detail": "Invalid token."}))
    t.eq("token row gone", s.sql("SELECT count(*) FROM authtoken_token"),
         [["0"]])


with h.Stack() as s:
    t.run(flow, s)
t.done()
