-- wrk script for benchmarks/employment_fair.py: each connection posts first check-ins of
-- distinct visitors (their ID numbers from a file, one a line, shared out between wrk's
-- threads) to POST /api/employment/fairs/{id}/checkins with a caseworker's bearer token.
-- Arguments (after --): numbers-file token threads. Answers other than 201 are counted (printed by done).
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  numbers = {}
  local n = 0
  for line in io.lines(args[1]) do
    if n % tonumber(args[3]) == id then numbers[#numbers + 1] = line end
    n = n + 1
  end
  idx = 0
  other = 0
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. args[2]
end

function request()
  idx = idx + 1
  local number = numbers[((idx - 1) % #numbers) + 1]  -- past the end: repeats (counted apart)
  return wrk.format(nil, nil, nil, '{"id_number":"' .. number .. '"}')
end

function response(status, headers, body)
  if status ~= 201 then other = other + 1 end
end

function done(summary, latency, requests)
  local others = 0
  for _, t in ipairs(threads) do others = others + t:get("other") end
  io.write(string.format("not-first %d\n", others))
end
