-- An autosave of the "feasibility" section, as the page script sends it: urlencoded form, X-CSRF-Token header,
-- the section's version. Each thread saves its own applications in turn and counts their versions (bench-data
-- puts them back at 1), so a save never conflicts unless the server lost one: a 409 shows as an error.
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
  local body = "steps=" .. urlencode("Étape 1 : préparation.\nÉtape 2 : réalisation, sauvegarde " .. versions[j] .. ".") ..
    "&version=" .. versions[j]
  if counted then versions[j] = versions[j] + 1 end
  return wrk.format("POST", "/applications/" .. mine[j] .. "/sections/feasibility/autosave",
    { ["Cookie"] = cookie, ["X-CSRF-Token"] = csrf, ["Content-Type"] = "application/x-www-form-urlencoded" }, body)
end
