-- POST /statements/new as a logged-in editor: every request is a new statement and its revision.
-- Each request carries its own submission key (a repeated key is an idempotent no-op) and its own
-- day stated (from FIRST_DAY days after 1950-01-01, which bench/run.py moves past the days each
-- run used; threads interleave): the same party, demand, stance, day and source again is a near
-- duplicate, which the form asks about (409) instead of saving.
--   wrk -s save.lua URL -- COOKIE BODY RUN_NONCE FIRST_DAY
local thread_count = 0
local counter = 0
local cookie, body, nonce, first_day = "", "", "0", 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  cookie, body, nonce = args[1], args[2], args[3]
  first_day = tonumber(args[4] or "0")
end

function request()
  counter = counter + 1
  local key = string.format("bench-%s-%d-%d", nonce, thread_index or 0, counter)
  local index = first_day + (counter - 1) * 2 + (thread_index or 0)
  local day = os.date("!%Y-%m-%d", -631108800 + index * 86400)
  local this = body:gsub("stated_on=[%d-]+", "stated_on=" .. day)
  local headers = {
    ["Cookie"] = cookie,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }
  return wrk.format("POST", "/statements/new", headers, this .. "&submission_key=" .. key)
end
