-- Intake for the webhooks benchmark: distinct readers posting distinct comments to one article;
-- one comment in ten contains a banned word, so intake itself publishes comment.rejected events.
dofile(os.getenv("BENCH_LUA_DIR") .. "/common.lua")
local path = "/api/v1/articles/" .. os.getenv("BENCH_ARTICLE") .. "/comments"
local headers = {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")}

request = function()
  counter = counter + 1
  local tag = nonce .. "-" .. thread_id .. "-" .. counter
  local word = (counter % 10 == 0) and "spamword " or ""
  local body = '{"author":{"id":"r' .. tag .. '","name":"Lecteur ' .. counter .. '"},"body":"' .. word
    .. 'Commentaire ' .. tag .. ' : je ne suis pas d’accord avec la décision du Conseil fédéral sur le budget."}'
  return wrk.format("POST", path, headers, body)
end
