-- GET /health: the floor of the stack (one small JSON answer, no session).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
function request() return wrk.format("GET", "/health") end
