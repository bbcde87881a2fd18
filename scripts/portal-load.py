#!/usr/bin/env python3
"""make bench's portal load (issue 18 point 6): SESSIONS signed-in sessions at once, each its own district login,
each requesting its district's page again and again for SECONDS (after one untimed warm-up request). Loopback only,
bounded in time. Prints one line: "requests N errors E p50_ms X p95_ms Y max_ms Z".

  portal-load.py URL PASSWORD SECONDS LOGIN=UNIT [LOGIN=UNIT ...]
  portal-load.py --sign-in URL PASSWORD LOGIN=UNIT [...]   # only sign in; print "COOKIE PATH" per session (for wrk)

make bench drives the load with wrk (scripts/portal-wrk.lua, one wrk thread per session) when wrk is installed: this
script's 50 Python threads share one interpreter lock, and their own parsing of each page was part of the time they
measured. Without wrk, this script measures as before.
"""
import http.client
import re
import sys
import threading
import time
import urllib.parse

sign_in_only = sys.argv[1] == "--sign-in"
if sign_in_only:
    url, password, seconds = sys.argv[2], sys.argv[3], 0.0
    pairs = [a.split("=", 1) for a in sys.argv[4:]]
else:
    url, password, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
    pairs = [a.split("=", 1) for a in sys.argv[4:]]
signed_in = {}
host = urllib.parse.urlparse(url)
assert host.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
times, errors, lock = [], [0], threading.Lock()
start_gate = threading.Barrier(len(pairs) + 1)


def session(login, unit):
    c = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    c.request("GET", "/login")
    r = c.getresponse()
    page = r.read().decode()
    cookies = {}
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            n, _, rest = v.partition("=")
            cookies[n] = rest.split(";", 1)[0]
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf": token, "username": login, "password": password, "next": ""})
    c.request("POST", "/login", body=body, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"dti_csrf={cookies['dti_csrf']}"})
    r = c.getresponse()
    r.read()
    session_cookie = None
    for k, v in r.getheaders():
        if k.lower() == "set-cookie" and v.startswith("dti_session="):
            session_cookie = v.split(";", 1)[0]
    if r.status != 303 or not session_cookie:
        with lock:
            errors[0] += 1
        start_gate.wait()
        return
    headers = {"Cookie": session_cookie}
    c.request("GET", f"/units/{unit}", headers=headers)   # warm-up, untimed
    c.getresponse().read()
    if sign_in_only:
        with lock:
            signed_in[login] = (session_cookie, f"/units/{unit}")
        start_gate.wait()
        c.close()
        return
    start_gate.wait()
    end = time.monotonic() + seconds
    mine = []
    while time.monotonic() < end:
        t0 = time.monotonic()
        c.request("GET", f"/units/{unit}", headers=headers)
        r = c.getresponse()
        r.read()
        dt = time.monotonic() - t0
        if r.status == 200:
            mine.append(dt)
        else:
            with lock:
                errors[0] += 1
    with lock:
        times.extend(mine)
    c.close()


threads = [threading.Thread(target=session, args=(l, u), daemon=True) for l, u in pairs]
for t in threads:
    t.start()
start_gate.wait()
for t in threads:
    t.join(seconds + 60)
if sign_in_only:
    for login, _ in pairs:
        if login in signed_in:
            print(*signed_in[login])
    sys.exit(0 if len(signed_in) == len(pairs) else 1)
times.sort()


def pct(p):
    if not times:
        return float("nan")
    i = max(1, -(-len(times) * p // 100))
    return times[int(i) - 1] * 1000


print(f"requests {len(times)} errors {errors[0]} p50_ms {pct(50):.1f} p95_ms {pct(95):.1f} max_ms {(times[-1] * 1000 if times else float('nan')):.1f}")
