-- wrk script of GatewayBenchmark: requests cycle through WRK_PATHS (comma-separated) with WRK_METHOD and WRK_BODY;
-- at the end one line the benchmark reads: RESULT requests= duration_us= non2xx= socket_errors= p50_us= p99_us= max_us=
local paths = {}
for p in string.gmatch(os.getenv("WRK_PATHS"), "[^,]+") do
  paths[#paths + 1] = p
end
wrk.method = os.getenv("WRK_METHOD") or "GET"
local body = os.getenv("WRK_BODY")
if body and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
local next_path = 0

request = function()
  next_path = next_path % #paths + 1
  return wrk.format(nil, paths[next_path])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d duration_us=%d non2xx=%d socket_errors=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
