#!/usr/bin/env python3
"""Sandbox call benchmarks, on Python's standard library only. Each mode starts its own
`parley serve` on a fresh temporary data folder and a port the OS chooses, and stops it at the end.

    voice_calls.py throughput [--calls 200] [--parley build-bench/parley]
        Sandbox at full speed (--sandbox-speed 0): triggers the calls in one batch, the twelve
        personas in turn, and waits until all are final. Prints
            voice_throughput calls=200 seconds=... calls_per_s=... dispositions_as_documented=200
        Exits 1 when a call does not end with its persona's documented disposition.

    voice_calls.py realtime [--calls 100] [--local-calls auto|N] [--parley ...]
        Sandbox in real time (--sandbox-speed 1) with every call at once: the talking personas
        in turn. With --local-calls the server admits that many at once (--max-local-calls; auto
        derives it from the cores) and the rest wait queued; concurrent_max shows how many ran. Reads the media clock's lateness from /metrics at the end and every call's
        voice-to-voice times (end of the callee's speech to the agent's first audio frame).
            voice_realtime calls=100 concurrent_max=100 lateness_p50_ms=... lateness_p99_ms=...
                lateness_max_ms=... v2v_n=... v2v_p50_ms=... v2v_p95_ms=... v2v_max_ms=...

With `--calls 1` realtime measures one call alone: the voice-to-voice time without load.

    voice_calls.py fixed-delay [--calls 300] [--ramp SECONDS] [--parley ...]
        Real-time sandbox calls, every call at once (or started evenly over --ramp seconds, as a
        carrier's limit on calls per second would have them), whose engines are loopback servers that
        answer after fixed delays (bench/fixed_delay_engines/server.mjs, node): a streaming
        recognizer whose final result comes 100 ms after Parley's endpoint, a chat model whose
        first token comes after 200 ms, a speech model whose first audio comes after 100 ms.
        Every call reaches the qualified person, who answers the model's three questions.
        Voice-to-voice minus the endpoint (300 ms of quiet) and those delays is Parley's own share:
            voice_fixed_delay calls=300 concurrent_max=... lateness_p50_ms=... lateness_p99_ms=...
                lateness_max_ms=... v2v_n=... own_p50_ms=... own_p95_ms=... own_max_ms=...
        Needs `npm ci --prefix bench/fixed_delay_engines` (scripts/install-deps.sh runs it).

    voice_calls.py campaign [--contacts 2000] [--concurrent 500] [--db URL] [--parley ...]
        A campaign through the dialer into the sandbox at full speed: contacts of the busy
        persona (the line is busy after 1 s of ringing), one attempt each, the legal-hours
        guard off and calling around the clock. The server's sandbox answers every North
        American number (--sandbox-numbers any-nanp), so a million distinct contacts can be
        called: +1 212/646/718/917 NXX XXNN with NN one of the busy persona's 04, 16, ... 88.
        Times the start request, then the start to the campaign's completion:
            dialer_campaign_start contacts=2000 enqueue_s=... enqueue_per_s=...
            dialer_campaign contacts=2000 enqueue_s=... seconds=... calls_started_per_s=... busy=2000
        enqueue_s is the start request (it queues every contact); every call is started and
        ended within `seconds`, so calls_started_per_s is a floor. --db runs the server on that
        PostgreSQL database (it must exist and be empty) instead of SQLite.
"""

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

# docs/sandbox.md: persona = last two digits % 12.
DISPOSITIONS = ["hot_lead", "not_interested", "dnc_request", "interested", "busy", "no_answer",
                "voicemail", "not_interested", "wrong_number", "callback_requested", "interested",
                "no_answer"]
TALKING = [0, 1, 3, 6, 7, 8, 9, 10, 11]  # persona 2 opts out, which blocks its number afterwards


class Server:
    def __init__(self, parley, speed, max_calls, db=None, extra=(), max_local_calls=None):
        self.data = tempfile.mkdtemp(prefix="parley-bench-voice-")
        storage = ["--data", self.data] + (["--db", db] if db else [])
        out = subprocess.run([parley, "org", "create", *storage, "--name", "Bench", "--tier", "enterprise"],
                             check=True, capture_output=True, text=True).stdout
        self.key = json.loads(out)["api_key"]
        self.proc = subprocess.Popen(
            [parley, "serve", *storage, "--listen", "127.0.0.1:0", "--log-level", "warn",
             "--sandbox-speed", str(speed), "--max-calls", str(max_calls),
             "--max-local-calls", str(max_local_calls or max_calls), *extra],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 60
        self.port = None
        while time.time() < deadline and self.port is None:
            line = self.proc.stdout.readline()
            if not line:
                break
            m = re.search(r"listening on http://127\.0\.0\.1:(\d+)", line)
            if m:
                self.port = int(m.group(1))
        if self.port is None:
            self.stop()
            sys.exit("parley serve did not start")
        # What the server prints later is read as it comes: a pipe nobody read would fill and stop
        # the server at its next log line. PARLEY_BENCH_LOG names a file to keep it in.
        threading.Thread(target=self.drain, args=(os.environ.get("PARLEY_BENCH_LOG"),), daemon=True).start()

    def drain(self, path):
        with open(path or os.devnull, "w") as log:
            for line in self.proc.stdout:
                log.write(line)

    def request(self, method, path, body=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Authorization": "Bearer " + self.key}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        conn.request(method, path, data, headers)
        res = conn.getresponse()
        text = res.read().decode()
        conn.close()
        return res.status, text

    def json(self, method, path, body=None, want=200):
        status, text = self.request(method, path, body)
        if status != want:
            sys.exit(f"{method} {path} answered {status}: {text[:300]}")
        return json.loads(text)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        shutil.rmtree(self.data, ignore_errors=True)


def make_profile(server):
    server.json("POST", "/api/v1/custom-fields",
                {"name": "budget_range", "type": "enum",
                 "options": ["under_10k", "10k_50k", "50k_100k", "100k_plus"]}, 201)
    server.json("POST", "/api/v1/custom-fields", {"name": "timeline", "type": "date"}, 201)
    server.json("POST", "/api/v1/custom-fields", {"name": "company_size", "type": "number"}, 201)
    profile = server.json("POST", "/api/v1/profiles", {
        "name": "Bench", "agent_name": "Alex",
        "opener": "I am calling about our scheduling software. Do you have a minute?",
        "extract_fields": ["budget_range", "timeline", "company_size"],
        "tools": ["check_availability", "request_meeting"],
        "voicemail_message": "Hi, this is Alex. Please call us back when you can."}, 201)
    return profile["data"]["id"]


def trigger(server, profile_id, personas):
    calls = []
    for start in range(0, len(personas), 1000):
        chunk = personas[start:start + 1000]
        body = {"profile_id": profile_id,
                "calls": [{"phone": "+1%03d55501%02d" % (202 + (i // 100) % 700, p)}
                          for i, p in enumerate(chunk, start)]}
        res = server.json("POST", "/api/v1/batches", body, 201)
        calls.extend(res["data"]["call_ids"])
    return calls


def all_calls(server):
    calls = {}
    cursor = None
    while True:
        page = server.json("GET", "/api/v1/calls?limit=100" + (f"&cursor={cursor}" if cursor else ""))
        for c in page["data"]:
            calls[c["id"]] = c
        if not page["meta"]["has_more"]:
            return calls
        cursor = page["meta"]["next_cursor"]


def wait_all(server, ids, timeout):
    deadline = time.time() + timeout
    concurrent_max = 0
    while time.time() < deadline:
        calls = all_calls(server)
        active = sum(1 for i in ids if calls[i]["status"] in ("ringing", "in_progress"))
        concurrent_max = max(concurrent_max, active)
        if all(calls[i]["status"] not in ("queued", "ringing", "in_progress") for i in ids):
            return [calls[i] for i in ids], concurrent_max
        time.sleep(1)
    sys.exit(f"calls did not end within {timeout} s")


def percentile(values, q):
    if not values:
        return 0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def throughput(args):
    server = Server(args.parley, 0, args.max_calls)
    try:
        profile_id = make_profile(server)
        personas = [p for i in range(args.calls) for p in [i % 12] if p != 2] + [2]
        personas = personas[:args.calls]
        start = time.time()
        ids = trigger(server, profile_id, personas)
        calls, _ = wait_all(server, ids, 1800)
        seconds = time.time() - start
        right = sum(1 for p, c in zip(personas, calls) if c["analysis"]["disposition"] == DISPOSITIONS[p])
        print(f"voice_throughput calls={len(calls)} seconds={seconds:.1f} calls_per_s={len(calls) / seconds:.2f} "
              f"dispositions_as_documented={right}")
        return 0 if right == len(calls) else 1
    finally:
        server.stop()


def realtime(args):
    server = Server(args.parley, 1, max(args.calls, 1), max_local_calls=args.local_calls)
    try:
        profile_id = make_profile(server)
        personas = [TALKING[i % len(TALKING)] for i in range(args.calls)]
        ids = trigger(server, profile_id, personas)
        calls, concurrent_max = wait_all(server, ids, 900)
        status, metrics = server.request("GET", "/metrics")
        lateness = dict(re.findall(r'parley_media_frame_lateness_ms\{quantile="([0-9.]+)"\} ([0-9.]+)', metrics))
        v2v = [ms for c in calls for ms in c["analysis"].get("timings", {}).get("voice_to_voice_ms", [])]
        print(f"voice_realtime calls={len(calls)} concurrent_max={concurrent_max} "
              f"lateness_p50_ms={lateness.get('0.5')} lateness_p99_ms={lateness.get('0.99')} "
              f"lateness_max_ms={lateness.get('1')} v2v_n={len(v2v)} v2v_p50_ms={percentile(v2v, 0.5)} "
              f"v2v_p95_ms={percentile(v2v, 0.95)} v2v_max_ms={max(v2v) if v2v else 0}")
        return 0
    finally:
        server.stop()


# What the fixed-delay engines add to each answer: Parley's endpoint (300 ms of quiet), the
# recognizer's final (100 ms), the chat model's first token (200 ms), the first audio (100 ms).
FIXED_DELAYS_MS = 300 + 100 + 200 + 100


def qualified_numbers(n):
    """Distinct sandbox numbers of the qualified person (persona 0): +1 NPA 555-01NN, NN % 12 == 0."""
    numbers = []
    npa = 201
    while len(numbers) < n:
        npa += 1
        if npa % 100 == 11:  # N11 codes are not area codes
            continue
        numbers.extend("+1%03d55501%02d" % (npa, nn) for nn in range(0, 100, 12))
    return numbers[:n]


def fixed_delay(args):
    root = os.path.dirname(os.path.abspath(__file__))
    engines = subprocess.Popen(["node", os.path.join(root, "fixed_delay_engines", "server.mjs")],
                               stdout=subprocess.PIPE, text=True)
    port = json.loads(engines.stdout.readline())["port"]
    config = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
    json.dump({"endpoints": [{"name": "fixed", "base_url": f"http://127.0.0.1:{port}/v1",
                              "chat_models": ["agent"], "speech_model": "tts", "speech_voice": "alloy"}],
               "live_recognizers": [{"name": "fixed-stt", "url": f"ws://127.0.0.1:{port}/v1/listen",
                                     "endpointing_ms": 300}]}, config)
    config.close()
    server = None
    try:
        server = Server(args.parley, 1, max(args.calls, 1), extra=["--engines", config.name])
        profile = server.json("POST", "/api/v1/profiles", {
            "name": "Fixed delays", "agent_name": "Alex", "model": "fixed/agent", "stt": "fixed-stt",
            "voice": "fixed:alloy", "opener": "I am calling about our scheduling software. Do you have a minute?"},
            201)["data"]["id"]
        server.json("PATCH", "/api/v1/dialer/settings", {"max_concurrent_calls": max(args.calls, 1)})
        # Numbers of area codes the phone-number library does not know are left out of a batch:
        # more are offered until there are enough calls.
        # With --ramp, a batch every 100 ms spreads the starts over that many seconds, as a
        # carrier's limit on calls per second does; without it every call starts at once.
        ids = []
        numbers = qualified_numbers(3 * args.calls)
        steps = max(1, round(args.ramp * 10))
        start = time.time()
        for step in range(steps):
            time.sleep(max(0.0, start + step / 10 - time.time()))
            want = args.calls * (step + 1) // steps
            while len(ids) < want and numbers:
                take = min(1000, want - len(ids))
                chunk, numbers = numbers[:take], numbers[take:]
                body = {"profile_id": profile, "calls": [{"phone": p} for p in chunk]}
                ids.extend(server.json("POST", "/api/v1/batches", body, 201)["data"]["call_ids"])
        calls, concurrent_max = wait_all(server, ids, 900)
        status, metrics = server.request("GET", "/metrics")
        lateness = dict(re.findall(r'parley_media_frame_lateness_ms\{quantile="([0-9.]+)"\} ([0-9.]+)', metrics))
        v2v = [ms for c in calls for ms in c["analysis"].get("timings", {}).get("voice_to_voice_ms", [])]
        own = [ms - FIXED_DELAYS_MS for ms in v2v]
        stages = {k: [e[k] for c in calls for e in c["analysis"].get("timings", {}).get("engine_ms", [])]
                  for k in ("stt_ms", "brain_ms", "tts_ms")}
        print(f"voice_fixed_delay calls={len(calls)} ramp_s={args.ramp:g} concurrent_max={concurrent_max} "
              f"lateness_p50_ms={lateness.get('0.5')} lateness_p99_ms={lateness.get('0.99')} "
              f"lateness_max_ms={lateness.get('1')} v2v_n={len(v2v)} own_p50_ms={percentile(own, 0.5)} "
              f"own_p95_ms={percentile(own, 0.95)} own_max_ms={max(own) if own else 0}")
        print("  engine waits (p50/p95 ms): " + " ".join(
            f"{k}={percentile(v, 0.5):.0f}/{percentile(v, 0.95):.0f}" for k, v in stages.items()))
        # The loopback engines share the cores: how late they were themselves (not Parley's share).
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/stats") as res:
            late = json.loads(res.read())
        print("  the engines' own lateness beyond their fixed delays (p50/p95/max ms): " + " ".join(
            f"{k}={late[k]['p50']:.1f}/{late[k]['p95']:.1f}/{late[k]['max']:.1f}"
            for k in ("recognizer", "chat", "speech")) +
            f" event_loop_delay_p99={late['loop_delay_ms']['p99']:.1f}")
        answered = sum(1 for c in calls if len(c["analysis"].get("timings", {}).get("voice_to_voice_ms", [])) == 4)
        if answered != len(calls):
            print(f"only {answered} of {len(calls)} calls had their four answers", file=sys.stderr)
            return 1
        return 0
    finally:
        if server:
            server.stop()
        engines.terminate()
        engines.wait()
        os.unlink(config.name)


def busy_numbers():
    """Distinct North American numbers that reach the busy persona (last two digits % 12 == 4)."""
    for npa in (212, 646, 718, 917):
        for nxx in range(200, 1000):
            for xx in range(100):
                for nn in range(4, 100, 12):
                    yield "+1%03d%03d%02d%02d" % (npa, nxx, xx, nn)


def campaign(args):
    server = Server(args.parley, 0, args.concurrent, args.db, ["--sandbox-numbers", "any-nanp"])
    try:
        server.json("PATCH", "/api/v1/dialer/settings",
                    {"legal_hours_guard": {"enabled": False}, "max_concurrent_calls": 10000})
        profile_id = server.json("POST", "/api/v1/profiles", {"name": "Bench", "opener": "Do you have a minute?"},
                                 201)["data"]["id"]
        # Numbers libphonenumber does not accept are refused by the contacts API and skipped.
        created, numbers = 0, busy_numbers()
        while created < args.contacts:
            rows = [{"phone": n} for _, n in zip(range(min(1000, args.contacts - created)), numbers)]
            if not rows:
                sys.exit(f"ran out of numbers after {created} contacts")
            created += server.json("POST", "/api/v1/contacts/bulk", {"contacts": rows, "tags": ["bench"]})["data"]["created"]
        camp = server.json("POST", "/api/v1/campaigns", {
            "name": "Bench", "profile_id": profile_id, "contact_tags": ["bench"],
            "schedule": {"calling_hours": {"start": "00:00", "end": "24:00"},
                         "days": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]},
            "retry_rules": {"max_attempts": 1}, "concurrent_calls": args.concurrent}, 201)["data"]["id"]
        # Creating the contacts left their contact.created events to fan out; --settle lets the
        # server finish that before the start is timed.
        time.sleep(args.settle)
        start = time.time()
        server.json("POST", f"/api/v1/campaigns/{camp}/start")
        enqueue_s = time.time() - start
        print(f"dialer_campaign_start contacts={created} enqueue_s={enqueue_s:.2f} "
              f"enqueue_per_s={created / enqueue_s:.0f}", flush=True)
        while True:
            c = server.json("GET", f"/api/v1/campaigns/{camp}")["data"]
            if c["status"] == "completed":
                break
            if time.time() - start > args.timeout:
                sys.exit(f"campaign did not complete in {args.timeout} s: {c['stats']}")
            # The campaign's stats count every contact: read them less often when there are many.
            time.sleep(max(0.1, min(5.0, created / 200000)))
        seconds = time.time() - start
        stats = c["stats"]
        busy = stats["dispositions"].get("busy", 0)
        print(f"dialer_campaign contacts={created} enqueue_s={enqueue_s:.2f} seconds={seconds:.1f} "
              f"calls_started_per_s={stats['calls'] / seconds:.0f} calls={stats['calls']} busy={busy}")
        return 0 if busy == created == stats["calls"] else 1
    finally:
        server.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["throughput", "realtime", "campaign", "fixed-delay"])
    parser.add_argument("--contacts", type=int, default=2000, help="campaign: how many contacts")
    parser.add_argument("--concurrent", type=int, default=500, help="campaign: concurrent_calls and --max-calls")
    parser.add_argument("--db", help="campaign: a PostgreSQL URL for the server instead of SQLite")
    parser.add_argument("--timeout", type=float, default=3600, help="campaign: give up after this many seconds")
    parser.add_argument("--settle", type=float, default=0,
                        help="campaign: seconds to wait between creating the contacts and the start")
    parser.add_argument("--calls", type=int, default=None)
    parser.add_argument("--ramp", type=float, default=0,
                        help="fixed-delay: start the calls evenly over this many seconds (default: all at once)")
    parser.add_argument("--max-calls", type=int, default=200, help="throughput: the server's --max-calls")
    parser.add_argument("--local-calls", default=None,
                        help="realtime: the server's --max-local-calls (a number or auto); every call at once "
                             "when not given")
    parser.add_argument("--parley", default=os.environ.get("PARLEY", "build-bench/parley"))
    args = parser.parse_args()
    if args.mode == "throughput":
        args.calls = args.calls or 200
        return throughput(args)
    if args.mode == "campaign":
        return campaign(args)
    if args.mode == "fixed-delay":
        args.calls = args.calls or 300
        return fixed_delay(args)
    args.calls = args.calls or 100
    return realtime(args)


if __name__ == "__main__":
    sys.exit(main())
