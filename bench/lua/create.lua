-- Session creation, bounded by count: requests carry no cookie, so each one makes the server create
-- (and store) a new session; each thread stops after KR_BENCH_CREATE_PER_THREAD responses. The run
-- is also bounded in time by wrk's -d.
local limit = 0
local count = 0

function init(args)
   limit = tonumber(os.getenv("KR_BENCH_CREATE_PER_THREAD") or "0") or 0
   if limit <= 0 then error("KR_BENCH_CREATE_PER_THREAD must be a positive number") end
end

function response(status, headers, body)
   count = count + 1
   if count >= limit then
      wrk.thread:stop()
   end
end
