"""Verify the tc-signature header of a Task Center HTTP target request (stdlib only).

    tc-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body bytes>")>[,v1=...]

Pass the raw request body as bytes, exactly as received (before any JSON parsing).
Several v1 values appear while a key is rotated; one match under any of your secrets is enough.
libs/client/README.md quotes the block from `import hashlib` to verify_signature verbatim
(libs/contracts/src/signature-python.spec.ts checks that, and runs this file).

    python3 verify_signature.py <secret> <header> <body-file>   # prints ok or bad
    python3 verify_signature.py                                 # runs the self-test
"""

import sys

import hashlib, hmac, re, time


def signature_problem(secrets, header, raw_body, tolerance_s=300, now=None):
    """Why the request does not verify, or None when it does.

    secrets: a str or a list of str; header: the tc-signature value; raw_body: bytes."""
    if isinstance(secrets, str):
        secrets = [secrets]
    if not header or not header.strip():
        return "missing tc-signature header"
    t, v1 = None, []
    for part in header.split(","):
        key, eq, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not eq:
            return "malformed tc-signature header"
        if key == "t":
            if not value.isascii() or not value.isdigit() or t not in (None, value):
                return "malformed tc-signature header"
            t = value
        elif key == "v1":
            if not re.fullmatch(r"[0-9a-fA-F]{64}", value):
                return "malformed tc-signature header"
            v1.append(value.lower())
    if t is None or not v1:
        return "malformed tc-signature header"
    skew = (int(time.time()) if now is None else now) - int(t)
    if abs(skew) > tolerance_s:
        age = "%ds old" % skew if skew > 0 else "%ds in the future" % -skew
        return "timestamp outside tolerance (%s, allowed %ds)" % (age, tolerance_s)
    for secret in secrets:
        signed = t.encode() + b"." + raw_body
        expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
        if any(hmac.compare_digest(expected, candidate) for candidate in v1):
            return None
    return "no signature matches"


def verify_signature(secrets, header, raw_body, tolerance_s=300, now=None):
    return signature_problem(secrets, header, raw_body, tolerance_s, now) is None


def _self_test():
    body = '{"report":"sales"}'.encode("utf-8")
    now = 1764230400
    sig = hmac.new(b"new", b"1764230400." + body, hashlib.sha256).hexdigest()
    old = hmac.new(b"old", b"1764230400." + body, hashlib.sha256).hexdigest()
    header = "t=1764230400,v1=%s,v1=%s" % (sig, old)
    assert verify_signature("new", header, body, now=now)
    assert verify_signature(["old"], header, body, now=now)
    assert not verify_signature("wrong", header, body, now=now)
    assert not verify_signature("new", header, body + b" ", now=now)
    assert not verify_signature("new", header, body, now=now + 301)
    assert not verify_signature("new", header, body, now=now - 301)
    assert not verify_signature("new", "t=abc,v1=%s" % sig, body, now=now)
    assert not verify_signature("new", "t=1764230400", body, now=now)
    assert not verify_signature("new", "", body, now=now)
    assert not verify_signature("new", None, body, now=now)
    print("self-test ok")


if __name__ == "__main__":
    if len(sys.argv) == 1:
        _self_test()
    elif len(sys.argv) == 4:
        secret, header, body_file = sys.argv[1:]
        with open(body_file, "rb") as f:
            problem = signature_problem(secret, header, f.read())
        print("ok" if problem is None else "bad")
        if problem is not None:
            print(problem, file=sys.stderr)
            sys.exit(1)
    else:
        sys.exit(__doc__)
