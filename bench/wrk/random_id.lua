-- GET PREFIX<id> with a random id in 1..MAX on every request (every statement exists).
--   wrk -s random_id.lua URL -- PREFIX MAX
local prefix, max = "/statements/", 1000

function init(args)
  prefix = args[1] or prefix
  max = tonumber(args[2] or max)
  math.randomseed(os.time() + (tonumber(tostring({}):match("0x(%x+)"), 16) or 0) % 100000)
end

function request()
  return wrk.format(nil, prefix .. math.random(1, max))
end
