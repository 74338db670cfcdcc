-- wrk script of the end-to-end benchmark (bench/e2e): single-contact PATCH under concurrent load. Each
-- request sets a new title on a random existing contact (PATCH /v1/contacts/{id}), so every request is a
-- real write, as in the pgbench reference (patch_pgbench.sql).
-- Arguments after "--": a file of contact ids (one per line) and the workspace's API key.
-- done() prints one line "E2E_RESULT {json}" that the driver reads.

local ids = {}
local api_key = ""
local threads_started = 0

function setup(thread)
   threads_started = threads_started + 1
   thread:set("thread_number", threads_started)
end

function init(args)
   local file = assert(io.open(args[1], "r"))
   for line in file:lines() do
      if #line > 0 then ids[#ids + 1] = line end
   end
   file:close()
   assert(#ids > 0, "no contact ids in " .. args[1])
   api_key = args[2]
   math.randomseed(20261123 + (thread_number or 0))
end

function request()
   local id = ids[math.random(#ids)]
   local body = '{"title":"Title ' .. math.random(1, 1000000000) .. '"}'
   return wrk.format("PATCH", "/v1/contacts/" .. id,
                     {["Authorization"] = "Bearer " .. api_key, ["Content-Type"] = "application/json"}, body)
end

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      'E2E_RESULT {"requests":%d,"duration_us":%d,"errors_status":%d,"errors_connect":%d,' ..
      '"errors_read":%d,"errors_write":%d,"errors_timeout":%d,"p50_us":%d,"p99_us":%d}\n',
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(99)))
end
