-- Reading one thread's approved comments (the path comes from BENCH_PATH).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local path = os.getenv("BENCH_PATH")
request = function()
  return wrk.format("GET", path)
end
