-- wrk script for `make soak`: counts responses by status and by who answered. Our functions'
-- errors are {"error": ...}; `cargo lambda watch` answers its own failures with a problem+json
-- body, so a soak can tell the local emulator's 500s from ours.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  local key = tostring(status)
  if status >= 400 and body:find('"type":"https://httpstatuses.com/', 1, true) then
    key = key .. " from the emulator"
  end
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  for _, thread in ipairs(threads) do
    for key, count in pairs(thread:get("statuses")) do
      io.write(string.format("status %s: %d\n", key, count))
    end
  end
end
