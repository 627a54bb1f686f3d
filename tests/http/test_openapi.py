"""www/openapi.json (issue 7): the document parses and is OpenAPI 3.1.x;
every path in it is served (OPTIONS, which every view answers, is not a
404, and each method it documents is in the view's Allow) and every path
tools/run.sh serves (PROGRAMS) is in it; every $ref resolves. A PROGRAMS
path that is not documented itself is a family (one program serving
several routes, e.g. mfa): documented paths below it count as its.
The MFA routes (REST_AUTH.MFA_ENABLED, served on with it): the six paths
with exactly their methods, their field limits, every 400 body of the
MFA brief, login/'s mfa_required answer; the served answers (400 bodies,
200 keys) are documented ones; with MFA_ENABLED off every one of them is
a 404."""
import json
import os
import re

import harness as h

t = h.Tests(__file__)
DOC = os.path.join(h.SRC, "www", "openapi.json")
# Documented, but answered only with a setting this stack does not have.
CONDITIONAL = {("/logout/", "get"), ("/logout/", "head")}  # ACCOUNT.LOGOUT_ON_GET
METHODS = {"get", "put", "post", "delete", "options", "head", "patch",
           "trace"}
# The MFA routes and their methods (besides OPTIONS, and HEAD with GET).
MFA = {"/mfa/verify/": {"post"},
       "/mfa/totp/activate/": {"get", "post"},
       "/mfa/totp/deactivate/": {"post"},
       "/mfa/status/": {"get"},
       "/mfa/recovery-codes/": {"post"},
       "/mfa/recovery-codes/regenerate/": {"post"}}
# (path, method, field, maxLength, required) of each MFA request field;
# the recovery codes' code is asked for only with MFA_REQUIRE_REAUTH.
MFA_LIMITS = [("/mfa/verify/", "post", "ephemeral_token", 512, True),
              ("/mfa/verify/", "post", "code", 9, True),
              ("/mfa/totp/activate/", "post", "activation_token", 512, True),
              ("/mfa/totp/activate/", "post", "code", 32, True),
              ("/mfa/totp/deactivate/", "post", "code", 32, True),
              ("/mfa/recovery-codes/", "post", "code", 32, False),
              ("/mfa/recovery-codes/regenerate/", "post", "code", 32, False)]


def served_paths():
    with open(os.path.join(h.SRC, "tools", "run.sh")) as f:
        text = f.read()
    block = re.search(r'^PROGRAMS="(.*?)"$', text, re.S | re.M).group(1)
    return sorted("/" + entry.split(":", 1)[1] + "/"
                  for entry in block.split())


def refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.append(v)
            else:
                refs(v, out)
    elif isinstance(node, list):
        for v in node:
            refs(v, out)
    return out


def covered(documented, served):
    """(documented paths no served path covers, served paths that cover
    no documented path): a served path covers itself and, when it is not
    documented itself (a family), the documented paths below it."""
    families = [p for p in served if p not in documented]
    lost = sorted(p for p in documented if p not in served and
                  not any(p.startswith(f) for f in families))
    idle = sorted(f for f in families
                  if not any(p.startswith(f) for p in documented))
    return lost, idle


def deref(doc, node):
    while isinstance(node, dict) and "$ref" in node:
        part = doc
        for key in node["$ref"][2:].split("/"):
            part = part[key]
        node = part
    return node


def mfa_document(doc):
    paths = doc["paths"]
    for path, want in sorted(MFA.items()):
        item = paths.get(path, {})
        got = {m for m in item if m in METHODS} - {"options", "head"}
        t.eq("%s: the methods of the MFA brief" % path, sorted(got),
             sorted(want))
        t.check("%s: OPTIONS documented" % path, "options" in item, item)
        for m in sorted(got):
            responses = item[m].get("responses", {})
            need = {"200", "401", "404", "405", "429"}
            if m == "post":
                need |= {"400", "413", "415"}
            t.eq("%s %s: documented answers" % (m, path),
                 sorted(need - set(responses)), [])
            nf = deref(doc, responses.get("404", {}))
            ex = nf.get("content", {}).get("application/json", {}).get(
                "example")
            t.eq("%s %s: 404 is Not found." % (m, path), ex,
                 {"detail": "Not found."})
    for path, m, field, limit, required in MFA_LIMITS:
        op = paths.get(path, {}).get(m, {})
        content = op.get("requestBody", {}).get("content", {})
        for ctype in ("application/json",
                      "application/x-www-form-urlencoded"):
            schema = deref(doc, content.get(ctype, {}).get("schema", {}))
            prop = schema.get("properties", {}).get(field, {})
            t.eq("%s %s %s: %s maxLength" % (m, path, ctype, field),
                 prop.get("maxLength"), limit)
            t.eq("%s %s %s: %s required" % (m, path, ctype, field),
                 field in schema.get("required", []), required)
    # every 400 body of the MFA brief is an example of its path
    examples = {path: examples_400(doc, path) for path in MFA}
    for path, body in [
            ("/mfa/verify/", {"ephemeral_token": ["Invalid or expired token."]}),
            ("/mfa/verify/", {"detail": ["User account is disabled."]}),
            ("/mfa/verify/", {"code": ["Invalid code."]}),
            ("/mfa/verify/",
             {"code": ["Ensure this field has no more than 9 characters."]}),
            ("/mfa/totp/activate/", {"detail": "MFA is already enabled. "
                                     "Deactivate it before activating again."}),
            ("/mfa/totp/activate/",
             {"activation_token": ["Invalid or expired activation token."]}),
            ("/mfa/totp/activate/",
             {"activation_token": ["Invalid activation token for this user."]}),
            ("/mfa/totp/activate/", {"code": [
                "Invalid code. Please check your authenticator app and try "
                "again."]}),
            ("/mfa/totp/deactivate/", {"detail": "MFA is not enabled."}),
            ("/mfa/totp/deactivate/", {"code": ["Invalid code."]}),
            ("/mfa/recovery-codes/regenerate/",
             {"detail": "MFA is not enabled."}),
            ("/mfa/recovery-codes/", {"code": ["Invalid code."]}),
            ("/mfa/recovery-codes/regenerate/", {"code": ["Invalid code."]})]:
        t.check("%s: 400 %s documented" % (path, json.dumps(body)),
                body in examples.get(path, []), examples.get(path))
    login = paths["/login/"]["post"]["responses"]["200"]
    shapes = [deref(doc, s) for s in login["content"]["application/json"]
              ["schema"].get("oneOf", [])]
    t.check("login/ 200 documents {ephemeral_token, mfa_required}",
            any(sorted(s.get("required", [])) ==
                ["ephemeral_token", "mfa_required"] and
                s["properties"]["mfa_required"].get("const") is True
                for s in shapes), shapes)


def examples_400(doc, path):
    """The 400 bodies documented for path, all methods."""
    out = []
    for op in doc["paths"].get(path, {}).values():
        bad = deref(doc, op.get("responses", {}).get("400", {})) \
            if isinstance(op, dict) else {}
        c = bad.get("content", {}).get("application/json", {})
        out += [e["value"] for e in c.get("examples", {}).values()]
        if "example" in c:
            out.append(c["example"])
    return out


def schema_200(doc, path, method):
    r = doc["paths"][path][method]["responses"]["200"]
    return deref(doc, r["content"]["application/json"]["schema"])


def mfa_answers(doc, s, access):
    """The served answers are the documented ones: each 400 body one of
    the path's examples, each 200 body the keys of its schema."""
    auth = {"Authorization": "Bearer " + access}
    for path, body, headers in [
            ("/mfa/verify/", {}, None),
            ("/mfa/verify/", {"ephemeral_token": "1:1:x",
                              "code": "1234567890"}, None),
            ("/mfa/verify/", {"ephemeral_token": "1:1:x", "code": "123456"},
             None),
            ("/mfa/totp/activate/", {}, auth),
            ("/mfa/totp/activate/", {"activation_token": "x",
                                     "code": "1" * 33}, auth),
            ("/mfa/totp/activate/", {"activation_token": "x",
                                     "code": "123456"}, auth),
            ("/mfa/totp/deactivate/", {}, auth),
            ("/mfa/recovery-codes/regenerate/", {}, auth)]:
        r = s.post("/auth" + path, json=body, headers=headers)
        t.check("POST %s %s: a documented 400" % (path, json.dumps(body)),
                r.status == 400 and r.json in examples_400(doc, path), r)
    for method, path in [("GET", "/mfa/status/"),
                         ("GET", "/mfa/totp/activate/"),
                         ("POST", "/mfa/recovery-codes/")]:
        r = s.request(method, "/auth" + path, headers=auth,
                      json={} if method == "POST" else None)
        schema = schema_200(doc, path, method.lower())
        t.check("%s %s: 200 with the documented keys" % (method, path),
                r.status == 200 and isinstance(r.json, dict) and
                list(r.json) == list(schema["properties"]) and
                sorted(schema["required"]) == sorted(r.json), r)
        if path == "/mfa/totp/activate/" and r.status == 200:
            t.check("GET %s: a QR code as the documented data URI" % path,
                    r.json["qr_code_data_uri"].startswith(
                        "data:image/svg+xml;base64,"), r)


def resolve(doc, ref):
    if not ref.startswith("#/"):
        return False
    node = doc
    for part in ref[2:].split("/"):
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def document():
    with open(DOC) as f:
        doc = json.load(f)
    t.check("openapi is 3.1.x", re.fullmatch(r"3\.1\.\d+",
                                             str(doc.get("openapi"))),
            doc.get("openapi"))
    t.check("info has title and version",
            isinstance(doc.get("info"), dict) and "title" in doc["info"]
            and "version" in doc["info"], doc.get("info"))
    t.eq("server url is the default prefix",
         [s["url"] for s in doc.get("servers", [])], ["/auth"])
    bad = [r for r in refs(doc, []) if not resolve(doc, r)]
    t.eq("every $ref resolves", bad, [])
    schemes = doc.get("components", {}).get("securitySchemes", {})
    t.check("security schemes: Token header, bearer JWT, cookie",
            any(s.get("type") == "apiKey" and s.get("in") == "header" and
                s.get("name") == "Authorization" for s in schemes.values())
            and any(s.get("type") == "http" and s.get("scheme") == "bearer"
                    for s in schemes.values())
            and any(s.get("type") == "apiKey" and s.get("in") == "cookie"
                    for s in schemes.values()), schemes)
    ids = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            ids.append(op.get("operationId"))
            t.check("%s %s has responses" % (method, path),
                    op.get("responses"), op)
            if method in ("post", "put", "patch") and \
                    (path, method) != ("/logout/", "get"):
                content = op.get("requestBody", {}).get("content", {})
                t.check("%s %s takes JSON and forms" % (method, path),
                        "application/json" in content and
                        "application/x-www-form-urlencoded" in content,
                        list(content))
    t.eq("operationIds are unique", len(ids), len(set(ids)))
    lost, idle = covered(set(doc["paths"]), served_paths())
    t.eq("documented paths are all served", lost, [])
    t.eq("served paths are all documented", idle, [])
    mfa_document(doc)
    return doc


def served(doc):
    config = {"REST_AUTH": {"USE_JWT": True, "MFA_ENABLED": True}}
    with h.Stack(config) as s:
        for path, item in doc["paths"].items():
            r = s.request("OPTIONS", "/auth" + path)
            t.check("OPTIONS %s is served" % path,
                    r.status != 404 and r.status < 500, r)
            allow = {m.strip().lower() for m in
                     (r.header("Allow") or "").split(",") if m.strip()}
            documented = {m for m in item if m in METHODS}
            missing = sorted(m for m in documented - allow
                             if (path, m) not in CONDITIONAL)
            t.eq("%s: documented methods are allowed" % path, missing, [])
            t.eq("%s: allowed methods are documented" % path,
                 sorted(allow - documented), [])
            # The method itself reaches the view: not a 404 either.
            for m in sorted(documented - {"options"}):
                if (path, m) in CONDITIONAL:
                    continue
                r = s.request(m.upper(), "/auth" + path, json={} if m in
                              ("post", "put", "patch") else None)
                if path == "/registration/verify-email/":
                    # an empty key is a field error, not the 404 of a bad key
                    t.check("%s %s reaches the view" % (m, path),
                            r.status == 400, r)
                else:
                    t.check("%s %s reaches the view" % (m, path),
                            r.status != 404 and r.status < 500, r)
        for path in served_paths():
            if path not in doc["paths"]:
                continue  # a family: its documented routes were above
            r = s.request("OPTIONS", "/auth" + path)
            t.check("served %s is not a 404" % path,
                    r.status != 404 and r.status < 500, r)
        # DRF authenticates before it looks for the method: 401 first.
        s.createuser("ada", "Analytical-Engine-1843")
        r = s.post("/auth/login/", json={"username": "ada",
                                         "password": "Analytical-Engine-1843"})
        access = (r.json or {}).get("access", "")
        r = s.get("/auth/mfa/recovery-codes/",
                  headers={"Authorization": "Bearer " + access})
        t.check("GET mfa/recovery-codes/ is 405 (POST only, as upstream)",
                r.status == 405 and r.json == {"detail": "Method \"GET\" not "
                                               "allowed."}, r)
        mfa_answers(doc, s, access)
        # The mfa tag's promise: no 301 for a route without its slash.
        for path in sorted(MFA):
            with_slash = s.request("OPTIONS", "/auth" + path)
            r = s.request("OPTIONS", "/auth" + path.rstrip("/"))
            t.check("OPTIONS %s without its slash is served, not "
                    "redirected" % path, r.status == with_slash.status and
                    r.body == with_slash.body, (r, with_slash))


def mfa_off(doc):
    """MFA_ENABLED false (the default): every mfa/* route is a 404, for
    every method, as a path Django's URLconf does not have."""
    with h.Stack({"REST_AUTH": {"USE_JWT": True}}) as s:
        for path in sorted(MFA):
            for m in ["OPTIONS"] + sorted(x.upper() for x in MFA[path]):
                r = s.request(m, "/auth" + path, json={} if m == "POST"
                              else None)
                t.check("MFA off: %s %s is 404 Not found." % (m, path),
                        r.status == 404 and
                        r.json == {"detail": "Not found."}, r)


doc = None
try:
    doc = document()
except Exception as e:
    t.check("openapi.json parses", False, repr(e))
if doc is not None:
    t.run(served, doc)
    t.run(mfa_off, doc)
t.done()
