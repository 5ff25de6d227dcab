-- Isso's intake: the same burst through its JSON API (moderation on: answered 202).
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local path = "/new?uri=" .. os.getenv("BENCH_ARTICLE")
local headers = {["Content-Type"] = "application/json"}

request = function()
  counter = counter + 1
  local tag = nonce .. "-" .. thread_id .. "-" .. counter
  local body = '{"author":"Lecteur ' .. counter .. '","title":"Bench","text":"Commentaire ' .. tag
    .. ' : je ne suis pas d’accord avec la décision du Conseil fédéral sur le budget."}'
  return wrk.format("POST", path, headers, body)
end
