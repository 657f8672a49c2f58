-- GET PATH with a different as_of date on every request, so that a render cache keyed by the URL
-- (or by the date) misses. Threads take disjoint dates; a run with more requests than distinct
-- dates wraps around (bench/run.py reports it).
--   wrk -t THREADS -s as_of_miss.lua URL -- PATH FIRST_DAY DAYS OFFSET THREADS
local thread_count = 0
local path, first, days, offset, stride = "/", 0, 1, 0, 1
local counter = 0

function setup(thread)
  thread:set("thread_index", thread_count)
  thread_count = thread_count + 1
end

local function epoch(iso)
  local y, m, d = iso:match("(%d+)-(%d+)-(%d+)")
  return os.time({ year = tonumber(y), month = tonumber(m), day = tonumber(d), hour = 12 })
end

function init(args)
  path = args[1] or "/"
  first = epoch(args[2] or "2014-01-01")
  days = tonumber(args[3] or "4382")
  offset = tonumber(args[4] or "0")
  stride = tonumber(args[5] or "1")
end

function request()
  local i = (offset + counter * stride + (thread_index or 0)) % days
  counter = counter + 1
  -- PATH may carry a query of its own (?with=…): the date is then one more parameter.
  local sep = path:find("?", 1, true) and "&" or "?"
  return wrk.format(nil, path .. sep .. "as_of=" .. os.date("%Y-%m-%d", first + i * 86400))
end
