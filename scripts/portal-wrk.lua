-- make bench's portal load with wrk (issue 18 point 6): one wrk thread per signed-in session, each asking for its
-- own district's page again and again with its own session cookie. The sessions are signed in beforehand by
-- scripts/portal-load.py --sign-in, which writes "COOKIE PATH" per line to the file named by PORTAL_SESSIONS_FILE.
--
--   PORTAL_SESSIONS_FILE=sessions.txt wrk -t 50 -c 50 -d 20s --timeout 30s -s scripts/portal-wrk.lua http://127.0.0.1:PORT
--
-- Prints one line, as portal-load.py does: "requests N errors E p50_ms X p95_ms Y max_ms Z".
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("session_no", next_id)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("PORTAL_SESSIONS_FILE"), "r"))
  local n = 0
  for line in f:lines() do
    n = n + 1
    if n == session_no then
      local cookie, path = line:match("^(%S+)%s+(%S+)$")
      wrk.headers["Cookie"] = cookie
      page_request = wrk.format("GET", path)
    end
  end
  f:close()
  assert(page_request, "no session for wrk thread " .. session_no)
end

function request()
  return page_request
end

function done(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.status + e.timeout
  io.write(string.format("requests %d errors %d p50_ms %.1f p95_ms %.1f max_ms %.1f\n", summary.requests, errors,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency.max / 1000))
end
