-- Revalidating one thread page: If-None-Match with the ETag it was served with (BENCH_ETAG);
-- a server without validators (Isso) answers with the whole page.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local path = os.getenv("BENCH_PATH")
local headers = {["If-None-Match"] = os.getenv("BENCH_ETAG")}
request = function()
  return wrk.format("GET", path, headers)
end
