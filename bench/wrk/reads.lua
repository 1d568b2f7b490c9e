-- wrk script: reads of a case, alternating its state (GET /cases/{id}) and its history
-- (GET /cases/{id}/events), over the case ids listed in THADS_BENCH_CASES (comma-separated),
-- with the bearer token from THADS_BENCH_TOKEN.
local ids = {}
local n = 0

function init(args)
  for id in string.gmatch(os.getenv("THADS_BENCH_CASES") or "", "[^,]+") do
    table.insert(ids, id)
  end
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("THADS_BENCH_TOKEN")
end

function request()
  n = n + 1
  local id = ids[(n % #ids) + 1]
  if n % 2 == 0 then
    return wrk.format("GET", "/cases/" .. id)
  end
  return wrk.format("GET", "/cases/" .. id .. "/events")
end

-- one JSON line for bench/front.py: counts, errors and latency percentiles (µs)
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"connect_errors":%d,"read_errors":%d,"write_errors":%d,' ..
    '"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
