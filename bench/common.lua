-- Shared by the wrk scripts: the benchmark user's session (cookie and CSRF token from bench/run.sh), the ids of
-- their applications (from `subsidia bench-data`), one slice of them per wrk thread, and a summary line with
-- requests/s and p50/p95/p99 in milliseconds.
cookie = os.getenv("BENCH_COOKIE") or ""
csrf = os.getenv("BENCH_CSRF") or ""
ids = {}
for line in io.lines(os.getenv("BENCH_IDS") or "bench/data/applications.txt") do
  if #line > 0 then ids[#ids + 1] = line end
end

local threads = {}
local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

-- The ids of this thread: every n-th one, so no two threads touch the same application.
function my_ids(count)
  local mine = {}
  for k = 1, #ids do
    if (k - 1) % count == tid then mine[#mine + 1] = ids[k] end
  end
  return mine
end

-- wrk calls request() once on its first thread before the run, to check the script, and never sends that request.
-- Scripts that count what they sent (the sections' versions) skip counting that first call.
local checked = false
function checking_call()
  if tid == 0 and not checked then checked = true; return true end
  return false
end

function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d rps=%.0f p50=%.2fms p95=%.2fms p99=%.2fms errors=%d\n",
    summary.requests, summary.requests / seconds, latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, errors))
end
