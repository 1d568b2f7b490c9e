-- wrk script: POST /cases/judgments, a new case per request (unique intake reference per thread
-- and request), with the bearer token from the environment (THADS_BENCH_TOKEN).
local counter = 0
local tag = ""
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  tag = string.format("%s-%d", os.getenv("THADS_BENCH_RUN") or "run", tid)
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("THADS_BENCH_TOKEN")
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"unit":"BENCH","intake_ref":"%s-%d","judgment_number":"1/2025/DS-ST","issuing_court":"TAND khu vực 1"}',
    tag, counter)
  return wrk.format("POST", "/cases/judgments", nil, body)
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
