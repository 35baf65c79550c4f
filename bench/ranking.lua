-- The ranking of the call's envelope (every file in evaluation, evaluated or approved, ranked by SubsidiaCore
-- with the running total), its 50-line pages in turn.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
cookie = os.getenv("BENCH_OFFICER_COOKIE") or ""
local call = os.getenv("BENCH_CALL") or ""
local pages = tonumber(os.getenv("BENCH_RANKING_PAGES") or "100")
local i = 0
function request()
  i = i % pages + 1
  return wrk.format("GET", "/staff/calls/" .. call .. "/ranking?page=" .. i, { ["Cookie"] = cookie })
end
