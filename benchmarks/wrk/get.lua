-- wrk script for benchmarks/employment_fair.py: GET with a bearer token (argument after --).
function init(args)
  wrk.headers["Authorization"] = "Bearer " .. args[1]
end
