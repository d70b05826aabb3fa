-- wrk script: POST to the one-INSERT baseline view.
function request()
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, "{}")
end
