-- A budget line saved by the form without JavaScript (POST, then 303 back to the budget page): a category-3
-- line with its justification, checked, valued and stored with the budget's version.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local mine, versions, i
function init(args)
  mine = my_ids(tonumber(os.getenv("BENCH_THREADS") or "2")); versions = {}; i = 0
  for k = 1, #mine do versions[k] = 1 end
end
function request()
  local counted = not checking_call()
  local j = i % #mine + 1
  if counted then i = j end
  local body = "category=3&detail=" .. urlencode("Salle communale") .. "&justification=" .. urlencode("Location pour la fête") ..
    "&quantity=2&unit_cost=150&share=100&version=" .. versions[j] .. "&_csrf=" .. urlencode(csrf)
  if counted then versions[j] = versions[j] + 1 end
  return wrk.format("POST", "/applications/" .. mine[j] .. "/budget/lines",
    { ["Cookie"] = cookie, ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
