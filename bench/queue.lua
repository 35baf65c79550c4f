-- The officers' queue with a filter and a search term (full-text index), page 1, in turn over a few searches:
-- session lookup, role check, the filtered page and its count, the Leaf page.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
cookie = os.getenv("BENCH_OFFICER_COOKIE") or ""
local call = os.getenv("BENCH_CALL") or ""
local searches = {
  "status=submitted&q=amitie", "status=incomplete&q=langues", "status=submitted&q=cuisine&sort=oldest",
  "status=in_review&q=jardin", "status=submitted&q=festival%20cultures&sort=requested", "legal_form=commune&q=theatre",
}
local i = 0
function request()
  i = i % #searches + 1
  return wrk.format("GET", "/staff/applications?call=" .. call .. "&" .. searches[i], { ["Cookie"] = cookie })
end
