-- wrk script for .ci/load.sh: a mix of Invoke API calls (good events, unknown events, bodies
-- that are not JSON) and plain GETs, against the multi-trigger example's local server.
--
-- Every answer is sorted by what it says about itself, so no request/response pairing is
-- needed: 200 without a function error (a good event), 200 with `X-Amz-Function-Error` and
-- errorType UnknownEvent (an unknown event), 400 InvalidRequestContentException (not JSON),
-- 404 (a GET: the example serves no HTTP routes). Anything else is unexpected.

local invoke = "/2015-03-31/functions/multi-trigger/invocations"
local s3 = [[{"Records":[{"eventVersion":"2.0","eventSource":"aws:s3","awsRegion":"us-east-1","eventTime":"1970-01-01T00:00:00.123Z","eventName":"ObjectCreated:Put","userIdentity":{"principalId":"EXAMPLE"},"requestParameters":{"sourceIPAddress":"127.0.0.1"},"responseElements":{"x-amz-request-id":"C3D13FE58DE4C810","x-amz-id-2":"FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD"},"s3":{"s3SchemaVersion":"1.0","configurationId":"testConfigRule","bucket":{"name":"sourcebucket","ownerIdentity":{"principalId":"EXAMPLE"},"arn":"arn:aws:s3:::mybucket"},"object":{"key":"uploads/cat+photo.jpg","size":1024,"versionId":"version","eTag":"d41d8cd98f00b204e9800998ecf8427e","sequencer":"Happy Sequencer"}}}]}]]
local sqs = [[{"Records":[{"messageId":"m-1","receiptHandle":"h","body":"book","attributes":{},"messageAttributes":{},"md5OfBody":"0","eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-1:123456789012:orders","awsRegion":"us-east-1"}]}]]
local schedule = [[{"version":"0","id":"e-1","detail-type":"Scheduled Event","source":"aws.events","account":"1","time":"2026-12-03T03:00:00Z","region":"us-east-1","resources":["arn:aws:events:us-east-1:1:rule/multi-trigger-nightly-report"],"detail":{}}]]
local rpc = [[{"aegis_rpc":1,"method":"add","args":{"a":40,"b":2}}]]

local requests = {}
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  local json = { ["Content-Type"] = "application/json" }
  local mix = {
    wrk.format("POST", invoke, json, rpc),
    wrk.format("POST", invoke, json, sqs),
    wrk.format("POST", invoke, json, s3),
    wrk.format("POST", invoke, json, schedule),
    wrk.format("POST", invoke, json, [[{"greeting":"hello"}]]),
    wrk.format("POST", invoke, json, [[{"Records":[]}]]),
    wrk.format("POST", invoke, json, "this is not json"),
    wrk.format("POST", invoke, json, [[{"aegis_rpc":1,]]),
    wrk.format("GET", "/"),
    wrk.format("GET", "/health"),
  }
  for _, r in ipairs(mix) do table.insert(requests, r) end
  counter = 0
  good, unknown, refused, missing, unexpected = 0, 0, 0, 0, 0
  first_unexpected = ""
end

function request()
  counter = counter + 1
  return requests[(counter % #requests) + 1]
end

function response(status, headers, body)
  local fn_error = headers["x-amz-function-error"] or headers["X-Amz-Function-Error"]
  if status == 200 and not fn_error then
    good = good + 1
  elseif status == 200 and fn_error and body:find('"errorType":"UnknownEvent"', 1, true) then
    unknown = unknown + 1
  elseif status == 400 and body:find("Could not parse request body into json", 1, true) then
    refused = refused + 1
  elseif status == 404 then
    missing = missing + 1
  else
    unexpected = unexpected + 1
    if first_unexpected == "" then first_unexpected = status .. " " .. body end
  end
end

function done(summary, latency, requests)
  local g, u, r, m, x, first = 0, 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    g = g + t:get("good"); u = u + t:get("unknown"); r = r + t:get("refused")
    m = m + t:get("missing"); x = x + t:get("unexpected")
    if first == "" then first = t:get("first_unexpected") end
  end
  io.write(string.format("requests: %d in %.1f s = %.0f/s\n", summary.requests,
    summary.duration / 1e6, summary.requests / (summary.duration / 1e6)))
  io.write(string.format("latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("answers: good events 200 = %d; unknown events 200+Unhandled = %d; " ..
    "not JSON 400 = %d; GET 404 = %d; unexpected = %d\n", g, u, r, m, x))
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d; non-2xx/3xx %d\n",
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status))
  if x > 0 then io.write("first unexpected: " .. first .. "\n") end
end
