-- wrk script: POST a transfer check with a unique Idempotency-Key per request.
-- Environment: BENCH_KEY (the API key).
local counter = 0
local thread_id = 0
local threads = {}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() + tid)
  prefix = string.format("%d-%d-", os.time(), tid)
  body = '{"subject":{"ref":"u-bench","age_band":"60_plus","locale":"zh-hans","region_code":"330106"},' ..
    '"transfer":{"amount":"5000.00","currency":"CNY","channel":"app","payee_type":"personal"},' ..
    '"risk":{"score":0.92,"scam_types":["impersonating_police"],"reasons":["new_payee"]}}'
  headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")
end

function request()
  counter = counter + 1
  headers["Idempotency-Key"] = prefix .. counter .. "-" .. math.random(1, 1000000000)
  return wrk.format("POST", nil, headers, body)
end
