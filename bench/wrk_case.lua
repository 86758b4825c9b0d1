-- wrk script for every case of bench/contacts_http.sh. Configured by the environment:
--   BENCH_KEY    API key, sent as "Authorization: Bearer ..." (absent for nginx)
--   BENCH_MODE   "get" (default): the same GET of the URL's path on every request;
--                "post_contact": POST /api/v1/contacts with a new, unique, valid phone each time
--   BENCH_START  first contact number of the POST case (default 50,000,000); thread t uses
--                numbers BENCH_START + t * 5,000,000 + 0, 1, 2, ... (see bench/bench_client.py)
--   BENCH_STRICT 1: count every answer whose status is not 2xx through wrk's response hook,
--                which costs wrk some CPU on every response; otherwise (default) wrk's own
--                count of answers with status >= 400 is used, the same number here, since
--                neither parley nor nginx sends 1xx or 3xx to these requests.
--
-- done() prints one line for bench/contacts_http.sh to parse:
--   WRK requests=N duration_us=N connect=N read=N write=N timeout=N non2xx=N p50_us=N p99_us=N ...

local mode = os.getenv("BENCH_MODE") or "get"
local key = os.getenv("BENCH_KEY")
local strict = os.getenv("BENCH_STRICT") == "1"
local start = tonumber(os.getenv("BENCH_START") or "50000000")
local per_thread = 5000000

-- Same mapping as bench/bench_client.py's phone(): keep the two in step.
local AREAS = { 212, 213, 305, 312, 415, 512, 617, 702, 713, 718, 773, 832, 917, 972 }
local EXCHANGES, LINES = 800, 10000
local SPACE = #AREAS * EXCHANGES * LINES
local MULT, ADD = 48271, 12345

local function phone(n)
    local m = (n * MULT + ADD) % SPACE -- below 2^53: exact in a double
    local line = m % LINES
    local exchange = 200 + math.floor(m / LINES) % EXCHANGES
    local area = AREAS[math.floor(m / (LINES * EXCHANGES)) + 1]
    return string.format("+1%d%d%04d", area, exchange, line)
end

-- Main state: number the threads, and keep them to add up their counts in done().
local threads = {}
function setup(thread)
    thread:set("tid", #threads)
    table.insert(threads, thread)
end

-- Thread state.
local counter = 0
local base = 0
non2xx = 0
posted = 0

function init(args)
    if key and key ~= "" then
        wrk.headers["Authorization"] = "Bearer " .. key
    end
    if mode == "post_contact" then
        base = start + tid * per_thread
        wrk.method = "POST"
        wrk.path = "/api/v1/contacts"
        wrk.headers["Content-Type"] = "application/json"
    end
end

if mode == "post_contact" then
    function request()
        if counter >= per_thread then
            error("thread " .. tid .. " used up its " .. per_thread .. " phone numbers")
        end
        local n = base + counter
        if n >= SPACE then
            error("contact number " .. n .. " is past the end of the numbering")
        end
        counter = counter + 1
        posted = counter
        local body = string.format(
            '{"first_name":"Bench","last_name":"User%d","phone":"%s","email":"user%d@example.com",' ..
            '"company":"Company %d","tags":["bench","t%d"],"custom_fields":{"plan":"gold","score":%d}}',
            n, phone(n), n, n % 1000, n % 10, n % 100)
        return wrk.format(nil, nil, nil, body)
    end
end

if strict then
    function response(status, headers, body)
        if status < 200 or status > 299 then
            non2xx = non2xx + 1
        end
    end
end

function done(summary, latency, requests)
    local e = summary.errors
    local counted = 0
    local made = 0
    for _, t in ipairs(threads) do
        counted = counted + (t:get("non2xx") or 0)
        made = made + (t:get("posted") or 0)
    end
    if not strict then
        counted = e.status
    end
    io.write(string.format(
        "WRK requests=%d duration_us=%d bytes=%d connect=%d read=%d write=%d timeout=%d non2xx=%d " ..
        "p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.0f generated=%d\n",
        summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.timeout, counted,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean, made))
end
