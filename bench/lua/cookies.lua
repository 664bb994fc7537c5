-- Rotates the session cookies listed one per line (`Name=value`) in the file named by
-- KR_BENCH_COOKIE_FILE: successive requests of a thread carry successive cookies (wrapping around).
-- The requests are formatted once in init(), so the per-request cost on the client side is a table
-- lookup. Threads start at different places of the list (setup() hands each one its number).
local thread_count = 0

function setup(thread)
   thread:set("thread_number", thread_count)
   thread_count = thread_count + 1
end

local reqs = {}
local idx = 0

function init(args)
   local path = os.getenv("KR_BENCH_COOKIE_FILE")
   if path == nil then error("KR_BENCH_COOKIE_FILE is not set") end
   for line in io.lines(path) do
      if #line > 0 then
         reqs[#reqs + 1] = wrk.format(nil, nil, { ["Cookie"] = line })
      end
   end
   if #reqs == 0 then error("no cookie in " .. path) end
   idx = ((thread_number or 0) * 997) % #reqs
end

function request()
   idx = idx % #reqs + 1
   return reqs[idx]
end
