-- Driven by bench.py through environment variables:
--   BENCH_METHOD, BENCH_BODY, BENCH_HEADERS ("Name: value\n..."), BENCH_PATHS (newline-separated;
--   requests rotate through them so a write endpoint touches many rows, not one).
local method = os.getenv("BENCH_METHOD") or "GET"
local body = os.getenv("BENCH_BODY")
local paths = {}
for p in string.gmatch(os.getenv("BENCH_PATHS") or "/", "[^\n]+") do table.insert(paths, p) end
local bodies = {}
if body and body ~= "" then
  for b in string.gmatch(body, "[^\n]+") do table.insert(bodies, b) end
end
local headers = {}
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end
if #bodies > 0 then headers["Content-Type"] = "application/json" end
local encoding = os.getenv("BENCH_ACCEPT_ENCODING")
if encoding and encoding ~= "" then headers["Accept-Encoding"] = encoding end

-- BENCH_AUTH: newline-separated Authorization values, rotated in step with paths and bodies.
local auths = {}
for a in string.gmatch(os.getenv("BENCH_AUTH") or "", "[^\n]+") do table.insert(auths, a) end

local counter = 0
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end

local n = 0
request = function()
  n = n + 1
  local i = (n + (offset or 0))
  local path = paths[(i % #paths) + 1]
  local b = nil
  if #bodies > 0 then b = bodies[(i % #bodies) + 1] end
  if #auths > 0 then headers["Authorization"] = auths[(i % #auths) + 1] end
  return wrk.format(method, path, headers, b)
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "p50_ms": %.3f, "p95_ms": %.3f, "p99_ms": %.3f, ' ..
    '"errors": %d, "status_errors": %d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.timeout + e.status, e.status))
end
