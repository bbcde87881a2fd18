#!/usr/bin/env python3
"""make bench's portal load (issue 18 point 6): SESSIONS signed-in sessions at once, each its own district login,
each requesting its district's page again and again for SECONDS (after one untimed warm-up request). Loopback only,
bounded in time. Prints one line: "requests N errors E p50_ms X p95_ms Y max_ms Z".

  portal-load.py URL PASSWORD SECONDS LOGIN=UNIT [LOGIN=UNIT ...]
"""
import http.client
import re
import sys
import threading
import time
import urllib.parse

url, password, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
pairs = [a.split("=", 1) for a in sys.argv[4:]]
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
times.sort()


def pct(p):
    if not times:
        return float("nan")
    i = max(1, -(-len(times) * p // 100))
    return times[int(i) - 1] * 1000


print(f"requests {len(times)} errors {errors[0]} p50_ms {pct(50):.1f} p95_ms {pct(95):.1f} max_ms {(times[-1] * 1000 if times else float('nan')):.1f}")
