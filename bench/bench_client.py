#!/usr/bin/env python3
"""Client side of the contacts benchmarks, on Python's standard library only.

    bench_client.py seed --url URL --key KEY --count N [--start S]
        Creates contacts S .. S+N-1 through POST /api/v1/contacts/bulk (1,000 a request) and
        prints the id of the first one created. Fails unless every request answers 200 with
        every contact created.

    bench_client.py bulk-latency --url URL --key KEY [-n 50] [--size 1000] [--start S]
        Times n sequential bulk requests of `size` new contacts each over one keep-alive
        connection and prints
            bulk_1000 n=50 p50_ms=... p95_ms=... max_ms=... created=50000
        Exits 1 when any request did not answer 200 with `size` contacts created.

    bench_client.py phone N
        Prints contact N's phone number (to check it against bench/wrk_case.lua's).

Contact N has a phone number that no other N' < 112,000,000 has: N is scrambled by a bijection
of [0, 112e6) and split into area code (14 of them), exchange (200..999) and line (0000..9999).
Every area code and exchange here was checked valid with the server's libphonenumber (area
code 505, for one, has invalid exchanges: it is not used). bench/wrk_case.lua has the same
mapping; the ranges of N that each script uses are listed in bench/README.md.
"""

import argparse
import http.client
import json
import math
import socket
import sys
import time
import urllib.parse

AREAS = (212, 213, 305, 312, 415, 512, 617, 702, 713, 718, 773, 832, 917, 972)
EXCHANGES = 800  # 200 .. 999
LINES = 10_000
SPACE = len(AREAS) * EXCHANGES * LINES  # 112,000,000
MULT, ADD = 48271, 12345  # MULT is prime to SPACE = 2^10 * 5^6 * 7: a bijection


def phone(n: int) -> str:
    if not 0 <= n < SPACE:
        raise ValueError(f"contact number {n} is outside [0, {SPACE})")
    m = (n * MULT + ADD) % SPACE
    line = m % LINES
    exchange = 200 + (m // LINES) % EXCHANGES
    area = AREAS[m // (LINES * EXCHANGES)]
    return f"+1{area}{exchange}{line:04d}"


def contact(n: int) -> dict:
    """A contact of typical size: names, phone, email, company, two tags, two custom fields."""
    return {
        "first_name": "Bench",
        "last_name": f"User{n}",
        "phone": phone(n),
        "email": f"user{n}@example.com",
        "company": f"Company {n % 1000}",
        "tags": ["bench", f"t{n % 10}"],
        "custom_fields": {"plan": "gold", "score": n % 100},
    }


class Client:
    """One keep-alive HTTP/1.1 connection to the server, with TCP_NODELAY."""

    def __init__(self, url: str, key: str):
        u = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)
        self.conn.connect()
        self.conn.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}

    def post(self, path: str, body: bytes):
        """Sends the request and reads the whole answer; returns (status, body, seconds)."""
        start = time.perf_counter()
        self.conn.request("POST", path, body=body, headers=self.headers)
        res = self.conn.getresponse()
        data = res.read()
        elapsed = time.perf_counter() - start
        if res.getheader("Connection", "").lower() == "close":
            raise RuntimeError(f"the server closed the connection after POST {path} ({res.status})")
        return res.status, data, elapsed

    def close(self):
        self.conn.close()


def bulk_body(start: int, size: int) -> bytes:
    return json.dumps({"contacts": [contact(n) for n in range(start, start + size)]},
                      separators=(",", ":")).encode()


def check_bulk(status: int, data: bytes, size: int, what: str) -> dict:
    """The answer's data when it is a 200 with all `size` contacts created; raises otherwise."""
    try:
        body = json.loads(data)
    except ValueError:
        body = None
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("data"), dict):
        raise RuntimeError(f"{what}: HTTP {status}: {data[:500]!r}")
    d = body["data"]
    if d.get("created") != size or d.get("duplicates") != 0 or d.get("invalid") != 0:
        failures = d.get("failures", [])[:3]
        raise RuntimeError(f"{what}: created={d.get('created')} duplicates={d.get('duplicates')} "
                           f"invalid={d.get('invalid')} (expected created={size}); first failures: {failures}")
    if len(d.get("created_ids", [])) != size:
        raise RuntimeError(f"{what}: {len(d.get('created_ids', []))} created_ids for {size} contacts")
    return d


def percentile(sorted_values, p):
    """Nearest-rank percentile of an ascending list."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def cmd_seed(args) -> int:
    client = Client(args.url, args.key)
    first_id = None
    n = args.start
    end = args.start + args.count
    while n < end:
        size = min(1000, end - n)
        status, data, _ = client.post("/api/v1/contacts/bulk", bulk_body(n, size))
        d = check_bulk(status, data, size, f"seeding contacts {n}..{n + size - 1}")
        if first_id is None:
            first_id = d["created_ids"][0]
        n += size
    client.close()
    print(first_id)
    return 0


def cmd_bulk_latency(args) -> int:
    client = Client(args.url, args.key)
    bodies = [bulk_body(args.start + i * args.size, args.size) for i in range(args.n)]
    times = []
    created = 0
    failed = []
    for i, body in enumerate(bodies):
        status, data, seconds = client.post("/api/v1/contacts/bulk", body)
        times.append(seconds * 1000)
        try:
            created += check_bulk(status, data, args.size, f"request {i + 1}")["created"]
        except RuntimeError as e:
            failed.append(str(e))
    client.close()
    times.sort()
    print(f"bulk_{args.size} n={args.n} p50_ms={percentile(times, 50):.1f} p95_ms={percentile(times, 95):.1f} "
          f"max_ms={times[-1]:.1f} created={created}"
          + (f" failed={len(failed)}" if failed else ""), flush=True)
    for f in failed[:5]:
        print(f"bulk_latency: {f}", file=sys.stderr)
    return 1 if failed or created != args.n * args.size else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("seed")
    s.add_argument("--url", required=True)
    s.add_argument("--key", required=True)
    s.add_argument("--count", type=int, required=True)
    s.add_argument("--start", type=int, default=0)
    b = sub.add_parser("bulk-latency")
    b.add_argument("--url", required=True)
    b.add_argument("--key", required=True)
    b.add_argument("-n", type=int, default=50)
    b.add_argument("--size", type=int, default=1000)
    b.add_argument("--start", type=int, default=0)
    ph = sub.add_parser("phone")
    ph.add_argument("n", type=int)
    args = p.parse_args()
    if args.cmd == "seed":
        if args.count < 1:
            p.error("--count must be at least 1")
        return cmd_seed(args)
    if args.cmd == "bulk-latency":
        if args.n < 1 or not 1 <= args.size <= 1000:
            p.error("-n must be at least 1 and --size from 1 to 1000")
        return cmd_bulk_latency(args)
    print(phone(args.n))
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except (RuntimeError, OSError, http.client.HTTPException, ValueError) as e:
        print(f"bench_client: {e}", file=sys.stderr)
        sys.exit(1)
