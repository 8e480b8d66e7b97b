-- wrk script for benchmarks/http_settle.py: each connection posts outpatient bills of distinct insured
-- persons (their ID numbers from a file, one a line, shared out between wrk's threads) to
-- POST /api/medical/settlements with a cashier's bearer token and an Idempotency-Key of its own.
-- Arguments (after --): numbers-file token threads service-date facility-code run-tag.
-- Answers other than 201 are counted (printed by done).
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
  day, facility, tag = args[4], args[5], args[6]
  wrk.method = "POST"
  auth = "Bearer " .. args[2]
end

function request()
  idx = idx + 1
  local number = numbers[((idx - 1) % #numbers) + 1]
  local body = '{"patient":{"id_number":"' .. number .. '"},"facility_code":"' .. facility ..
    '","visit":"outpatient","service_date":"' .. day ..
    '","lines":[{"code":"A1","category":"甲","unit_price":"12.00"}]}'
  -- wrk.format takes these headers instead of wrk.headers, not beside them
  local headers = {["Content-Type"] = "application/json", ["Authorization"] = auth,
                   ["Idempotency-Key"] = tag .. "-" .. id .. "-" .. idx}
  return wrk.format(nil, nil, headers, body)
end

function response(status, headers, body)
  if status ~= 201 then other = other + 1 end
end

function done(summary, latency, requests)
  local others = 0
  for _, t in ipairs(threads) do others = others + t:get("other") end
  io.write(string.format("not-first %d\n", others))
end
