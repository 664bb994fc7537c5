-- Appended to every wrk script run by bench/run.sh: prints one machine-readable line at the end of
-- the run. Times are microseconds (wrk's unit); duration is the measured run time.
function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "KRBENCH requests=%d duration_us=%d p50_us=%.0f p99_us=%.0f max_us=%.0f " ..
      "err_connect=%d err_read=%d err_write=%d err_status=%d err_timeout=%d\n",
      summary.requests, summary.duration,
      latency:percentile(50.0), latency:percentile(99.0), latency.max,
      e.connect, e.read, e.write, e.status, e.timeout))
end
