-- POST /statements/new as a logged-in editor: every request is a new statement and its revision.
-- Each request carries its own submission key (a repeated key is an idempotent no-op).
--   wrk -s save.lua URL -- COOKIE BODY RUN_NONCE
local thread_count = 0
local counter = 0
local cookie, body, nonce = "", "", "0"

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  cookie, body, nonce = args[1], args[2], args[3]
end

function request()
  counter = counter + 1
  local key = string.format("bench-%s-%d-%d", nonce, thread_index or 0, counter)
  local headers = {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", "/statements/new", headers, body .. "&submission_key=" .. key)
end
