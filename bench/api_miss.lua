-- wrk script for bench/serve.sh: every request a page-cache miss, by a query parameter no view
-- reads, new for each request (per thread: its id, then a counter).
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

local n = 0
function request()
  n = n + 1
  return wrk.format("GET", wrk.path .. "&bench-miss=" .. id .. "-" .. n)
end
