-- wrk.lua: the one wrk script of make bench; bench.py sets it up through
-- the environment, one case at a time:
--   BENCH_METHOD   request method (GET)
--   BENCH_BODY     request body; set (even empty) adds Content-Length
--   BENCH_HEADERS  extra header lines, "Name: value", newline-separated
--   BENCH_USERS    space-separated usernames: each request logs in as the
--                  next one (round robin, each thread from its own
--                  offset), with password BENCH_PASSWORD
--   BENCH_REFRESH  space-separated refresh tokens, one per connection:
--                  each request sends one as {"refresh": ...} and the
--                  rotated token of the answer goes back into the pool
--                  (a token works once with BLACKLIST_AFTER_ROTATION);
--                  thread N of BENCH_THREADS takes every Nth (wrk calls
--                  request() once before the run: one token per thread
--                  more than connections)
--   BENCH_STOP_AFTER  each thread stops after this many answers and
--                  prints "BENCH_THREAD_DONE" (the memory growth check
--                  counts requests, not seconds; wrk itself still waits
--                  for -d, so bench.py ends it with SIGINT then)
-- done() prints one line "BENCH_RESULT {json}" for bench.py.

wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.body = os.getenv("BENCH_BODY")
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
	local name, value = line:match("^([^:]+):%s*(.*)$")
	if name then
		wrk.headers[name] = value
	end
end

local threads = {}
local counter = 1

function setup(thread)
	thread:set("id", counter)
	counter = counter + 1
	table.insert(threads, thread)
end

local users = {}
for u in (os.getenv("BENCH_USERS") or ""):gmatch("%S+") do
	table.insert(users, u)
end

if #users > 0 then
	local password = os.getenv("BENCH_PASSWORD") or ""
	local next_user = nil

	function request()
		if next_user == nil then
			-- id is set by setup() in this thread's state.
			next_user = ((id or 1) - 1) * 997 % #users
		end
		local u = users[next_user + 1]
		next_user = (next_user + 1) % #users
		local body = '{"username":"' .. u .. '","password":"' ..
			password .. '"}'
		return wrk.format(nil, nil, nil, body)
	end
end

local refresh = {}
do
	local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
	local i = 0
	for t in (os.getenv("BENCH_REFRESH") or ""):gmatch("%S+") do
		table.insert(refresh, { t, i % nthreads + 1 })
		i = i + 1
	end
end

if #refresh > 0 then
	local pool, last = nil, nil

	function request()
		if pool == nil then
			pool = {}
			for _, r in ipairs(refresh) do
				if r[2] == (id or 1) then
					table.insert(pool, r[1])
				end
			end
		end
		-- An empty pool means an answer without a new token: send the
		-- used one again, which fails and is counted.
		local t = table.remove(pool) or last
		last = t
		return wrk.format(nil, nil, nil, '{"refresh":"' .. t .. '"}')
	end

	local shown = 0

	function response(status, headers, body)
		local t = body:match('"refresh":"([^"]+)"')
		if t then
			table.insert(pool, t)
		elseif shown < 3 then
			shown = shown + 1
			io.write("BENCH_ERROR " .. status .. " " ..
				body:sub(1, 200):gsub("\n", " ") .. "\n")
		end
	end
end

local stop_after = tonumber(os.getenv("BENCH_STOP_AFTER") or "")
if stop_after then
	local answered = 0

	function response(status, headers, body)
		answered = answered + 1
		if answered == stop_after then
			io.write("BENCH_THREAD_DONE\n")
			io.flush()
			wrk.thread:stop()
		end
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format('BENCH_RESULT {"requests": %d, ' ..
		'"duration_us": %d, "bytes": %d, "p50_us": %d, "p90_us": %d, ' ..
		'"p99_us": %d, "max_us": %d, "mean_us": %.1f, ' ..
		'"errors": {"connect": %d, "read": %d, "write": %d, ' ..
		'"status": %d, "timeout": %d}}\n',
		summary.requests, summary.duration, summary.bytes,
		latency:percentile(50), latency:percentile(90),
		latency:percentile(99), latency.max, latency.mean,
		e.connect, e.read, e.write, e.status, e.timeout))
end
