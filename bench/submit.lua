-- Submission of complete drafts, each once: the rules, the reference from the call's counter, the snapshot and
-- its SHA-256, the receipt PDF, the outbox mail, in one transaction. bench/run.sh counts the submissions made.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local mine, i
function init(args) mine = my_ids(tonumber(os.getenv("BENCH_THREADS") or "2")); i = 0 end
function request()
  i = i % #mine + 1
  return wrk.format("POST", "/applications/" .. mine[i] .. "/submit",
    { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded" }, "_csrf=" .. urlencode(csrf))
end
