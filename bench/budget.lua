-- A budget line saved by the form without JavaScript (POST, then 303 back to the budget page): a category-3
-- line with its justification, checked, valued and stored with the budget's version.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local mine, versions, i
function init(args)
  mine = my_ids(tonumber(os.getenv("BENCH_THREADS") or "2")); versions = {}; i = 0
  for k = 1, #mine do versions[k] = 1 end
end
function request()
  i = i % #mine + 1
  local body = "category=3&detail=" .. urlencode("Salle communale") .. "&justification=" .. urlencode("Location pour la fête") ..
    "&quantity=2&unit_cost=150&share=100&version=" .. versions[i] .. "&_csrf=" .. urlencode(csrf)
  versions[i] = versions[i] + 1
  return wrk.format("POST", "/applications/" .. mine[i] .. "/budget/lines",
    { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
