-- The task list page of the benchmark user's applications, in turn (session lookup, access check, the
-- application with its answers, lines, documents, the cap and the rules, the Leaf page).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local mine, i
function init(args) mine = my_ids(tonumber(os.getenv("BENCH_THREADS") or "2")); i = 0 end
function request()
  i = i % #mine + 1
  return wrk.format("GET", "/applications/" .. mine[i], { ["Cookie"] = cookie })
end
