#!/usr/bin/env python3
"""The performance benchmark (`make bench`): a measurement, not a test.

What it does, on the PostgreSQL server of ``DATABASE_URL`` (``make bench`` starts a throwaway one):

1. creates a database of its own on that server (dropped at the end), with the production
   settings (``DEBUG=0``, a generated ``SECRET_KEY``, hashed static files), migrated and seeded
   by ``manage.py seed_bench`` (100,000 members of which 5,000 pending);
2. times one password hash with the configured hasher;
3. starts gunicorn on a free loopback port and drives it with wrk (Debian's package, installed
   when missing), one endpoint at a time, for a bounded time and number of requests; gunicorn
   runs with ``scripts/bench_settings.py``, the production settings plus, at
   ``/banc-admin-standard/``, the stock Django changelist the admin queue is compared with
   (``scripts/bench_stock_admin.py``);
4. prints a table (requests per second, p50 and p95 latency), the peak memory of each gunicorn
   worker, and PASS or MISS for each target, all measured in the same run.

Exit status: 0 when the measurement ran, even if a target is missed; 1 when the benchmark itself
broke (setup failed, a tool crashed); 2 when it cannot start (no ``DATABASE_URL``, no wrk).
Traffic goes to 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.cookiejar
import importlib.metadata
import json
import os
import platform
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
HOST = "127.0.0.1"

# Targets of issue 7, as ratios measured in the same run.
# Each page GET: at least this share of /healthz's requests per second in the same run (the
# targets of the issue "Pages closer to their floor", set when /healthz ran one SELECT 1; it
# also writes and reads the cache since, which makes every ratio look about twice better).
PAGE_RATIO_TARGETS = {
    "home": 0.65,
    "invitation": 0.28,
    "wizard": 0.18,
    "login_get": 0.33,
    "member_area": 0.17,
    "queue": 0.03,
}
QUEUE_P95_TARGET_MS = 100.0  # the admin queue's p95 with 100,000 members, one manager at a time
# The queue, one manager at a time: at least twice the requests per second of a stock Django
# changelist showing the same information (scripts/bench_stock_admin.py), measured alike.
STOCK_RATIO_TARGET = 2.0
LOGIN_RATIO_TARGET = 0.80  # login POST: at least 80% of what the password hasher allows
# Above this share of the CPU taken by other processes during a measurement, the report says so.
NOISY_MACHINE = 0.10

LOGIN = "/compte/login/"
# The stock changelist, mounted by the benchmark's own settings (scripts/bench_settings.py, which
# gunicorn runs with); the filter link of its pending registrations.
STOCK_QUEUE = "/banc-admin-standard/structures/member/?status__exact=pending"

# The pages whose address the project decides, asked from Django by URL name: the signup
# wizard's first step (after the invitation's landing page) and the admin's validation queue.
URLS = """
import json
import django
django.setup()
from django.urls import NoReverseMatch, reverse

def url(name):
    try:
        return reverse(name)
    except NoReverseMatch:
        return None

print(json.dumps({
    "wizard_step_1": url("signup_account"),
    "member_queue": url("admin:structures_member_changelist"),
    "user_queue": url("admin:accounts_user_changelist"),
}))
"""


class BenchError(Exception):
    """The benchmark itself broke: it cannot give a measurement."""


@dataclass
class Endpoint:
    name: str
    path: str
    method: str = "GET"
    expected: int = 200
    cookie: str = ""
    body: str = ""
    # Each request comes from another client address (X-Forwarded-For), as logins do in
    # production: allauth's rate limit counts per address.
    many_clients: bool = False
    is_page: bool = True
    connections: int = 0  # 0: as many as the server has workers
    slow: bool = False  # measured twice as long: a few requests a second need more to count
    key: str = ""
    result: dict = field(default_factory=dict)
    problem: str = ""


# --- Small helpers ------------------------------------------------------------------------------


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_signing_key() -> str:
    """A throwaway RSA key for the services partenaires' ID tokens, as production requires one."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def run(command: list[str], env: dict, what: str, timeout: int = 600) -> str:
    """Run a setup command; its output is shown only when it fails."""
    try:
        done = subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"{what}: no answer after {timeout} s") from error
    if done.returncode != 0:
        raise BenchError(f"{what} failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def ensure_wrk() -> str:
    """wrk from Debian's packages, installed when missing (as .ci/run does for Chromium)."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("wrk is missing: install it with 'apt-get install wrk' (Debian's package).", file=sys.stderr)
        sys.exit(2)
    log("installing wrk (apt-get install wrk)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "wrk"]):
        if subprocess.run(command, env=env, stdout=subprocess.DEVNULL, check=False).returncode != 0:
            print(f"'{' '.join(command)}' failed: install wrk by hand.", file=sys.stderr)
            sys.exit(2)
    found = shutil.which("wrk")
    if not found:
        print("wrk is still missing after apt-get install wrk.", file=sys.stderr)
        sys.exit(2)
    return found


# --- The database -------------------------------------------------------------------------------


class ThrowawayDatabase:
    """A database of the benchmark's own on the server of DATABASE_URL: nobody's data is touched."""

    def __init__(self, url: str):
        import psycopg

        self.psycopg = psycopg
        self.server = urllib.parse.urlsplit(url)
        if self.server.scheme not in ("postgres", "postgresql"):
            raise BenchError("DATABASE_URL must be a postgres:// URL.")
        self.name = f"ceplus_bench_{secrets.token_hex(4)}"
        self.url = urllib.parse.urlunsplit(self.server._replace(path=f"/{self.name}"))

    def _admin(self):
        # The maintenance database first; the URL's own database when "postgres" is not reachable.
        candidates = ["/postgres", self.server.path]
        last = None
        for path in candidates:
            try:
                return self.psycopg.connect(
                    urllib.parse.urlunsplit(self.server._replace(path=path)), autocommit=True
                )
            except self.psycopg.OperationalError as error:
                last = error
        raise BenchError(f"cannot reach PostgreSQL at DATABASE_URL: {last}")

    def create(self) -> str:
        with self._admin() as connection:
            connection.execute(f'CREATE DATABASE "{self.name}"')
            return connection.execute("SHOW server_version").fetchone()[0]

    def drop(self) -> None:
        with self._admin() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --- The server ---------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, env: dict, workers: int, logfile: Path):
        self.port = free_port()
        self.base = f"http://{HOST}:{self.port}"
        self.logfile = logfile
        self.out = logfile.open("w")
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "ceplus.wsgi",
                "--workers",
                str(workers),
                "--bind",
                f"{HOST}:{self.port}",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, workers: int, seconds: float = 90) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn stopped at start-up:\n{self.tail()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200 and len(self.workers()) == workers:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise BenchError(f"gunicorn did not answer /healthz within {seconds:.0f} s:\n{self.tail()}")

    def workers(self) -> list[int]:
        master = self.process.pid
        try:
            children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
            return sorted(int(pid) for pid in children)
        except OSError:
            pids = []
            for status in Path("/proc").glob("[0-9]*/status"):
                try:
                    fields = dict(
                        line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
                    )
                except OSError:
                    continue
                if fields.get("PPid", "").strip() == str(master):
                    pids.append(int(status.parent.name))
            return sorted(pids)

    @staticmethod
    def memory(pid: int) -> dict:
        """Peak (VmHWM) and current (VmRSS) resident memory of a process, in MiB."""
        fields = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0]) / 1024
        return fields

    def tail(self, lines: int = 30) -> str:
        self.out.flush()
        return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn's graceful stop: the master ends its workers
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.out.close()


# --- HTTP from the benchmark itself (logging in, checking each endpoint once) -------------------


def totp_code(secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for ``secret`` (base32) now (RFC 6238: SHA-1, 30 s,
    6 digits)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    counter = int((time.time() if at is None else at) // 30).to_bytes(8, "big")
    digest = hmac.new(key, counter, hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def request(self, path: str, data: dict | str | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        if isinstance(body, str):
            body = body.encode()
        # The base is always http://127.0.0.1:<port>.
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310
        self.location = ""
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode(errors="replace")
        except urllib.error.HTTPError as error:
            self.location = error.headers.get("Location", "")
            return error.code, error.read().decode(errors="replace")

    def cookie(self, name: str) -> str:
        for cookie in self.jar:
            if cookie.name == name:
                return cookie.value
        raise BenchError(f"no {name} cookie after logging in")

    def login_form(self) -> str:
        status, html = self.request(LOGIN)
        match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        if status != 200 or match is None:
            raise BenchError(f"the login page answered {status} without a CSRF token")
        return match.group(1)

    def login(self, email: str, password: str, client_address: str, totp_secret: str = "") -> str:
        """Log in as a person does (with the authenticator app's code when the account has a
        second factor, as every admin account must); the session cookie to replay."""
        token = self.login_form()
        status, _html = self.request(
            LOGIN,
            {"csrfmiddlewaretoken": token, "login": email, "password": password},
            {"X-Forwarded-For": client_address},
        )
        if status != 302:
            raise BenchError(f"logging in as {email} answered {status} instead of a redirection")
        if totp_secret and "/2fa/" in self.location:
            second_step = urllib.parse.urlsplit(self.location).path
            status, html = self.request(second_step)
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
            if status != 200 or match is None:
                raise BenchError(f"the second step of the login answered {status} without a CSRF token")
            status, _html = self.request(
                second_step,
                {"csrfmiddlewaretoken": match.group(1), "code": totp_code(totp_secret)},
                {"X-Forwarded-For": client_address},
            )
            if status != 302:
                raise BenchError(
                    f"the authenticator code of {email} answered {status} instead of a redirection"
                )
        return f"sessionid={self.cookie('sessionid')}"


# --- Who used the CPU ---------------------------------------------------------------------------

TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu() -> tuple[float, float]:
    """CPU seconds spent busy, and in total, by all the machine's cores since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle = values[3] + values[4]  # idle, iowait
    return (sum(values) - idle) / TICKS, sum(values) / TICKS


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used; 0 once it is gone."""
    try:
        after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(after_name[11]) + int(after_name[12])) / TICKS


def wait_for_quiet(seconds: float) -> float:
    """Wait, at most ``seconds``, for a second in which the machine is nearly idle (the server
    is idle then: only other processes are busy). Returns the last busy share seen."""
    deadline = time.monotonic() + seconds
    while True:
        start = machine_cpu()
        time.sleep(1)
        busy, total = (end - begin for end, begin in zip(machine_cpu(), start, strict=True))
        share = busy / total if total else 0.0
        if share < NOISY_MACHINE or time.monotonic() >= deadline:
            return share


class CpuAccount:
    """How much of the machine other processes took while an endpoint was measured.

    The benchmark's own processes are gunicorn (master and workers), the PostgreSQL backends
    serving its database (their command line names it) and wrk; everything else busy on the
    machine at the same time (another test run, a build) lowers the figures. The server's own
    CPU time per request depends less on that noise (only through the cores' shared caches).
    """

    def __init__(self, server: Gunicorn, database: str):
        self.server = server
        self.database = database.encode()

    def _ours(self) -> dict[int, float]:
        return {**self._python(), **self._database()}

    def _python(self) -> dict[int, float]:
        """gunicorn's master and workers: Django's own time."""
        return {pid: process_cpu(pid) for pid in (self.server.process.pid, *self.server.workers())}

    def _database(self) -> dict[int, float]:
        """The PostgreSQL backends serving the benchmark's database."""
        pids = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                if self.database in cmdline.read_bytes():
                    pids.append(int(cmdline.parent.name))
            except OSError:
                continue
        return {pid: process_cpu(pid) for pid in pids}

    def start(self) -> None:
        self.database_start = self._database()
        self.ours = {**self._python(), **self.database_start}
        self.machine = machine_cpu()
        self.children = resource.getrusage(resource.RUSAGE_CHILDREN)

    def stop(self) -> tuple[float, float]:
        """The CPU seconds the server (gunicorn and PostgreSQL) used since start(), and the share
        of the machine (0 to 1) that other processes used meanwhile."""
        busy, total = (end - begin for end, begin in zip(machine_cpu(), self.machine, strict=True))
        database = self._database()
        self.database_cpu = sum(cpu - self.database_start.get(pid, 0.0) for pid, cpu in database.items())
        server = sum(cpu - self.ours.get(pid, 0.0) for pid, cpu in {**self._python(), **database}.items())
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        load = (children.ru_utime - self.children.ru_utime) + (children.ru_stime - self.children.ru_stime)
        return server, (max(0.0, busy - server - load) / total if total else 0.0)


# --- The load generator -------------------------------------------------------------------------


def lua_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def lua_script(endpoint: Endpoint, max_requests: int) -> str:
    """wrk's script: the request, a count of unexpected answers, a stop after max_requests, and
    the summary as one JSON line."""
    lines = [
        f"wrk.method = {lua_string(endpoint.method)}",
        f"wrk.path = {lua_string(endpoint.path)}",
    ]
    if endpoint.cookie:
        lines.append(f'wrk.headers["Cookie"] = {lua_string(endpoint.cookie)}')
    if endpoint.body:
        lines.append(f"wrk.body = {lua_string(endpoint.body)}")
        lines.append('wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"')
    lines.append(f"""
local expected = {endpoint.expected}
local limit = {max_requests}
local threads = {{}}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  sent = 0
  responses = 0
  unexpected = 0
  last_unexpected = 0
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= expected then
    unexpected = unexpected + 1
    last_unexpected = status
  end
  if responses >= limit then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad, last = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("unexpected")
    if thread:get("last_unexpected") ~= 0 then last = thread:get("last_unexpected") end
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH {{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"socket_errors": %d, "timeouts": %d, "unexpected": %d, "last_unexpected": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), errors.connect + errors.read + errors.write, errors.timeout, bad, last))
end
""")
    if endpoint.many_clients:
        lines.append("""
function request()
  sent = sent + 1
  wrk.headers["X-Forwarded-For"] = string.format(
    "10.%d.%d.%d", id % 256, math.floor(sent / 256) % 256, sent % 256)
  return wrk.format()
end
""")
    return "\n".join(lines)


def wrk(
    binary: str, base: str, endpoint: Endpoint, seconds: int, connections: int, max_requests: int, tmp: Path
) -> dict:
    script = tmp / f"{re.sub(r'[^a-z0-9]+', '-', endpoint.name.lower())}.lua"
    script.write_text(lua_script(endpoint, max_requests))
    command = [
        binary, "--threads", "1", "--connections", str(connections), "--duration", f"{seconds}s",
        "--timeout", "10s", "--script", str(script), base + endpoint.path,
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60, check=False)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"wrk did not stop on {endpoint.name}") from error
    summary = next((line for line in done.stdout.splitlines() if line.startswith("BENCH ")), None)
    if done.returncode != 0 or summary is None:
        raise BenchError(f"wrk failed on {endpoint.name}:\n{done.stdout}\n{done.stderr}")
    result = json.loads(summary.removeprefix("BENCH "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6) if result["duration_us"] else 0.0
    return result


# --- The password hasher -----------------------------------------------------------------------

HASH_TIMING = """
import json, statistics, time
import django
django.setup()
from django.contrib.auth.hashers import check_password, get_hasher, make_password

hasher = get_hasher("default")
password = "Bench-CE+2026-hash"
encoded = make_password(password)
check_password(password, encoded)
walls, cpus = [], []
for _ in range(ROUNDS):
    wall, cpu = time.perf_counter(), time.process_time()
    assert check_password(password, encoded)
    walls.append(time.perf_counter() - wall)
    cpus.append(time.process_time() - cpu)
params = {name: getattr(hasher, name) for name in ("time_cost", "memory_cost", "parallelism", "iterations")
          if hasattr(hasher, name)}
print(json.dumps({"algorithm": hasher.algorithm, "params": params,
                  "wall": statistics.median(walls), "cpu": statistics.median(cpus)}))
"""


def time_password_hash(env: dict, rounds: int = 10) -> dict:
    """One login checks one password: its wall time, and its CPU time (all threads: Argon2 may
    spread one hash over several cores)."""
    output = run([PYTHON, "-c", HASH_TIMING.replace("ROUNDS", str(rounds))], env, "timing the password hash")
    return json.loads(output.strip().splitlines()[-1])


# --- The machine --------------------------------------------------------------------------------


def machine(wrk_binary: str, postgres_version: str) -> dict:
    cpu_model = "unknown"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    free = subprocess.run(["free", "-h"], capture_output=True, text=True, check=False).stdout.strip()
    wrk_version = subprocess.run([wrk_binary, "--version"], capture_output=True, text=True, check=False)
    versions = {"Python": platform.python_version(), "PostgreSQL": postgres_version}
    for package in ("Django", "django-allauth", "gunicorn", "psycopg", "argon2-cffi"):
        versions[package] = importlib.metadata.version(package)
    versions["wrk"] = (wrk_version.stdout or wrk_version.stderr).split("[")[0].replace("wrk", "").strip()
    return {
        "cores": len(os.sched_getaffinity(0)),
        "cpu": cpu_model,
        "memory": free,
        "kernel": f"{platform.system()} {platform.release()}",
        "versions": versions,
    }


# --- The report ---------------------------------------------------------------------------------


def stock_verdict(alone: Endpoint, stock: Endpoint) -> tuple[bool, str]:
    """The admin queue's requests per second against the stock changelist's, both measured with
    one manager at a time: PASS at STOCK_RATIO_TARGET times or more."""
    label = f"admin queue ≥ {STOCK_RATIO_TARGET:g}× the stock changelist's requests/s (one manager)"
    problem = alone.problem or stock.problem
    if not problem and not stock.result.get("rps"):
        problem = "the stock changelist answered no request in time"
    if problem:
        return False, f"{label}: not measured ({problem})"
    queue_rps, stock_rps = alone.result["rps"], stock.result["rps"]
    ratio = queue_rps / stock_rps
    ok = ratio >= STOCK_RATIO_TARGET
    text = f"{label}: {queue_rps:.1f}/s against {stock_rps:.1f}/s, {ratio:.1f}×"
    if not ok:
        text += (
            f" — {alone.result['cpu_ms']:.1f} ms of server CPU per request against "
            f"{stock.result['cpu_ms']:.1f} ms for the stock changelist"
        )
    return ok, text


def report(endpoints, hashing, memory, info, args, seed, timings) -> str:
    floor = endpoints[0].result.get("rps", 0.0)

    def cost_ms(result: dict) -> str:
        """The server's CPU time (gunicorn and PostgreSQL) per request."""
        return f"{result['cpu_ms']:.1f} ms of server CPU" if result.get("requests") else "no answer"

    out = [
        f"### Run of {time.strftime('%Y-%m-%d %H:%M %Z')}",
        "",
        f"- Machine: {info['cores']} cores (`nproc`), {info['cpu']}, {info['kernel']}",
        "- Memory (`free -h`):",
        "",
        "  ```",
        *[f"  {line}" for line in info["memory"].splitlines()],
        "  ```",
        "- Versions: " + ", ".join(f"{name} {version}" for name, version in info["versions"].items()),
        f"- Data: {seed['members']} members of which {seed['pending']} pending, {seed['beneficiaries']} "
        f"beneficiaries; the manager's structure holds about 40% of them",
        f"- Server: gunicorn, {args.workers} sync workers on {HOST}; load: wrk, 1 thread, "
        f"{args.connections} connections (one for the 'one manager at a time' rows), "
        f"{args.duration} s per endpoint (twice that for the login POST and the one-manager rows) "
        f"after {args.warmup} s of warm-up",
        "- Set-up: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()),
        "",
        "| endpoint | requests/s | p50 (ms) | p95 (ms) | requests | unexpected answers "
        "| server CPU per request (ms) | of which PostgreSQL (ms) | CPU used by other processes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for endpoint in endpoints:
        result = endpoint.result
        if endpoint.problem and not result:
            out.append(f"| {endpoint.name} | not measured: {endpoint.problem} | | | | | | | |")
            continue
        out.append(
            f"| {endpoint.name} | {result['rps']:.1f} | {result['p50_us'] / 1000:.1f} | "
            f"{result['p95_us'] / 1000:.1f} | {result['requests']} | {result['unexpected']} | "
            f"{result['cpu_ms']:.1f} | {result.get('db_cpu_ms', 0.0):.1f} | {result['others']:.0%} |"
        )
    busiest = max((e.result.get("others", 0.0) for e in endpoints), default=0.0)
    if busiest > NOISY_MACHINE:
        out += [
            "",
            f"**The machine was not quiet**: other processes took up to {busiest:.0%} of its CPU during a "
            "measurement; the figures of those rows are lower than on a quiet machine.",
        ]
    out += [
        "",
        "Peak memory per gunicorn worker (VmHWM): "
        + ", ".join(f"{m['VmHWM']:.0f} MiB" for m in memory["workers"])
        + f"; master {memory['master']['VmHWM']:.0f} MiB."
        + (f" Workers restarted during the run: {memory['restarted']}." if memory["restarted"] else ""),
        "",
        f"Password hasher: {hashing['algorithm']} "
        f"({', '.join(f'{k}={v}' for k, v in hashing['params'].items())}); one hash takes "
        f"{hashing['wall'] * 1000:.0f} ms and {hashing['cpu'] * 1000:.0f} ms of CPU time.",
        "",
    ]

    verdicts: list[tuple[bool, str]] = []
    for endpoint in endpoints[1:]:
        if not endpoint.is_page:
            continue
        target = PAGE_RATIO_TARGETS.get(endpoint.key, 0.5)
        label = f"{endpoint.name} ≥ {target:.0%} of /healthz"
        if endpoint.problem:
            verdicts.append((False, f"{label}: not measured ({endpoint.problem})"))
            continue
        ratio = endpoint.result["rps"] / floor if floor else 0.0
        reason = (
            ""
            if ratio >= target
            else f" — {cost_ms(endpoint.result)} per request against {cost_ms(endpoints[0].result)} for /healthz"
        )
        verdicts.append((ratio >= target, f"{label}: {ratio:.0%}{reason}"))

    # A latency target: judged with one manager at a time, the loaded figure shown beside it.
    alone = next(e for e in endpoints if e.key == "queue_alone")
    loaded = next(e for e in endpoints if e.key == "queue")
    label = f"admin queue p95 < {QUEUE_P95_TARGET_MS:.0f} ms (one manager) with {seed['members']} members"
    if alone.problem:
        verdicts.append((False, f"{label}: not measured ({alone.problem})"))
    else:
        p95 = alone.result["p95_us"] / 1000
        ok = p95 < QUEUE_P95_TARGET_MS
        text = f"{label}: {p95:.0f} ms for one manager at a time"
        if loaded.result:
            text += f" ({loaded.result['p95_us'] / 1000:.0f} ms with {args.connections} at once)"
        if not ok:
            text += f" — even alone the page takes {alone.result['p50_us'] / 1000:.0f} ms (p50)"
        verdicts.append((ok, text))

    # Against the stock changelist of the same information: both one manager at a time.
    stock = next(e for e in endpoints if e.key == "stock_queue_alone")
    verdicts.append(stock_verdict(alone, stock))

    login = next(e for e in endpoints if e.key == "login")
    allowed = info["cores"] / hashing["cpu"]
    literal = info["cores"] / hashing["wall"]
    if login.problem:
        verdicts.append((False, f"login POST ≥ 80% of the hasher's limit: not measured ({login.problem})"))
    else:
        ratio = login.result["rps"] / allowed
        ok = ratio >= LOGIN_RATIO_TARGET
        others = login.result["others"]
        if ok:
            reason = ""
        elif others > NOISY_MACHINE:
            # The verdict stays on the whole machine; this says how much the noise explains.
            share = ratio / (1 - others) if others < 1 else 0.0
            reason = (
                f" — other processes took {others:.0%} of the CPU meanwhile; on the "
                f"{1 - others:.0%} left to the benchmark it is {share:.0%} of what the hasher allows"
            )
        else:
            reason = " — more than the hash is spent per login (database queries, session, rate limits)"
        verdicts.append(
            (
                ok,
                f"login POST ≥ 80% of the hasher's limit: {login.result['rps']:.1f}/s is {ratio:.0%} of "
                f"{allowed:.1f}/s ({info['cores']} cores ÷ {hashing['cpu'] * 1000:.0f} ms of CPU per hash){reason}",
            )
        )
    out.append("Targets:")
    out.append("")
    out += [f"- {'PASS' if ok else 'MISS'} {text}" for ok, text in verdicts]
    if hashing["cpu"] > hashing["wall"] * 1.1:
        out += [
            "",
            f"(Cores ÷ the wall time of one hash would be {literal:.1f}/s, but one hash keeps "
            f"{hashing['cpu'] / hashing['wall']:.1f} cores busy (Argon2's lanes run in parallel threads): "
            "the hasher cannot allow more than the cores ÷ its CPU time.)",
        ]
    return "\n".join(out)


# --- The run ------------------------------------------------------------------------------------


def main() -> int:
    cores = len(os.sched_getaffinity(0))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=100_000, help="members to seed (default 100,000)")
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers (2 × cores)")
    parser.add_argument("--connections", type=int, default=0, help="wrk connections (default: workers)")
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per endpoint")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per endpoint")
    parser.add_argument("--max-requests", type=int, default=200_000, help="at most this many per endpoint")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=20,
        help="seconds to wait, before each endpoint, for other processes to leave the CPU idle",
    )
    parser.add_argument("--output", type=Path, help="also write the report (Markdown) to this file")
    args = parser.parse_args()
    args.connections = args.connections or args.workers

    if not os.environ.get("DATABASE_URL"):
        print(
            "DATABASE_URL is not set: run 'make bench' (scripts/with-postgres provides one).", file=sys.stderr
        )
        return 2
    wrk_binary = ensure_wrk()
    started = time.monotonic()
    database = ThrowawayDatabase(os.environ["DATABASE_URL"])
    tmp = Path(tempfile.mkdtemp(prefix="ceplus-bench."))
    server: Gunicorn | None = None
    timings: dict[str, float] = {}
    try:
        postgres_version = database.create()
        log(f"database {database.name} on PostgreSQL {postgres_version}")
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ceplus.settings",
            "DATABASE_URL": database.url,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "FILE_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "OIDC_PRIVATE_KEY": bench_signing_key(),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Loopback http: no redirection to https, cookies without the Secure flag.
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "STATIC_MANIFEST": "1",
            "TASKS_BACKEND": "database",
            # As behind a load balancer: the client's address comes from X-Forwarded-For, so the
            # login POST plays many clients and allauth's per-address rate limit stays on.
            "TRUSTED_PROXY_COUNT": "1",
            "LOG_LEVEL": "WARNING",
        }
        for name, command in [
            ("collectstatic", ["collectstatic", "--no-input", "--verbosity", "0"]),
            ("migrate", ["migrate", "--no-input", "--verbosity", "0"]),
        ]:
            log(name)
            step = time.monotonic()
            run([PYTHON, "manage.py", *command], env, name)
            timings[name] = time.monotonic() - step
        log(f"seed_bench --members {args.members}")
        step = time.monotonic()
        seeded = run([PYTHON, "manage.py", "seed_bench", "--members", str(args.members)], env, "seed_bench")
        timings["seed_bench"] = time.monotonic() - step
        seed = dict(line.split(": ", 1) for line in seeded.splitlines() if ": " in line)
        manager_email, password = seed["manager"].split(" / ")
        member_email = seed["member"].split(" / ")[0]
        urls = json.loads(run([PYTHON, "-c", URLS], env, "resolving URL names").strip().splitlines()[-1])
        if urls["member_queue"]:
            queue = urls["member_queue"]  # the members' admin opens on the registrations that wait
        else:
            queue = f"{urls['user_queue']}?status__exact=pending"

        log("timing one password hash")
        hashing = time_password_hash(env)

        log(f"gunicorn with {args.workers} workers")
        # The same settings plus the stock changelist's URLs (scripts/bench_settings.py); the
        # set-up commands above keep the product's own.
        server_env = {
            **env,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": os.pathsep.join(
                [str(ROOT / "scripts"), str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        }
        server = Gunicorn(server_env, args.workers, tmp / "gunicorn.log")
        server.wait_ready(args.workers)
        first_workers = server.workers()
        account = CpuAccount(server, database.name)

        member_cookie = Client(server.base).login(member_email, password, "10.255.0.1")
        manager_cookie = Client(server.base).login(
            manager_email, password, "10.255.0.2", totp_secret=seed.get("manager_totp", "")
        )
        login_client = Client(server.base)
        login_token = login_client.login_form()
        login_body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": login_token, "login": member_email, "password": password}
        )
        endpoints = [
            Endpoint("/healthz", "/healthz", is_page=False, key="healthz"),
            Endpoint("home /", "/", key="home"),
            Endpoint("invitation link (landing page)", seed["invite_path"], key="invitation"),
            Endpoint("CONNEXION GET", LOGIN, key="login_get"),
            Endpoint(
                "CONNEXION POST (a real login)",
                LOGIN,
                method="POST",
                expected=302,
                cookie=f"csrftoken={login_client.cookie('csrftoken')}",
                body=login_body,
                many_clients=True,
                is_page=False,
                slow=True,
                key="login",
            ),
            Endpoint("member area /espace/", "/espace/", cookie=member_cookie, key="member_area"),
            Endpoint(f"admin queue as the manager {queue}", queue, cookie=manager_cookie, key="queue"),
            Endpoint(
                "admin queue, one manager at a time",
                queue,
                cookie=manager_cookie,
                connections=1,
                is_page=False,
                slow=True,
                key="queue_alone",
            ),
            # The comparison: measured exactly as the row above, same manager, same session.
            Endpoint(
                "stock admin queue, one manager at a time",
                STOCK_QUEUE,
                cookie=manager_cookie,
                connections=1,
                is_page=False,
                slow=True,
                key="stock_queue_alone",
            ),
        ]
        if urls["wizard_step_1"]:
            # The wizard's state lives in the session that the invitation link starts.
            visitor = Client(server.base)
            visitor.request(seed["invite_path"])
            endpoints.insert(
                3,
                Endpoint(
                    f"wizard step 1 {urls['wizard_step_1']}",
                    urls["wizard_step_1"],
                    cookie=f"sessionid={visitor.cookie('sessionid')}",
                    key="wizard",
                ),
            )
        for endpoint in endpoints:
            # One request first: a page that does not answer as expected is not measured.
            headers = {"Cookie": endpoint.cookie} if endpoint.cookie else {}
            if endpoint.body:
                headers |= {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Forwarded-For": "10.254.0.1",
                }
            status, _ = Client(server.base).request(endpoint.path, endpoint.body or None, headers)
            if status != endpoint.expected:
                endpoint.problem = f"answered {status}, expected {endpoint.expected}"
                log(f"{endpoint.name}: {endpoint.problem}")
                continue
            busy = wait_for_quiet(args.quiet_wait)
            if busy >= NOISY_MACHINE:
                log(f"the machine is busy ({busy:.0%} of its CPU taken by other processes): measuring anyway")
            seconds = args.duration * (2 if endpoint.slow else 1)
            log(f"{endpoint.name}: {args.warmup} s warm-up, {seconds} s measured")
            connections = endpoint.connections or args.connections
            wrk(wrk_binary, server.base, endpoint, args.warmup, connections, args.max_requests, tmp)
            account.start()
            endpoint.result = wrk(
                wrk_binary, server.base, endpoint, seconds, connections, args.max_requests, tmp
            )
            server_cpu, endpoint.result["others"] = account.stop()
            endpoint.result["cpu_ms"] = server_cpu * 1000 / max(endpoint.result["requests"], 1)
            endpoint.result["db_cpu_ms"] = account.database_cpu * 1000 / max(endpoint.result["requests"], 1)
            if endpoint.result["unexpected"] > endpoint.result["requests"] * 0.01:
                endpoint.problem = (
                    f"{endpoint.result['unexpected']} of {endpoint.result['requests']} answers were not "
                    f"{endpoint.expected} (last: {endpoint.result['last_unexpected']})"
                )
        if endpoints[0].problem or not endpoints[0].result.get("rps"):  # /healthz
            raise BenchError(f"/healthz, the floor, was not measured: {endpoints[0].problem}")

        workers = server.workers()
        memory = {
            "workers": [Gunicorn.memory(pid) for pid in workers],
            "master": Gunicorn.memory(server.process.pid),
            "restarted": len(set(workers) - set(first_workers)),
        }
        info = machine(wrk_binary, postgres_version)
        text = report(endpoints, hashing, memory, info, args, seed, timings)
        print()
        print(text)
        print()
        print(f"Total time: {time.monotonic() - started:.0f} s")
        if args.output:
            args.output.write_text(text + "\n")
        return 0
    except BenchError as error:
        print(f"\nThe benchmark broke: {error}", file=sys.stderr)
        if server is not None:
            print(f"gunicorn's log:\n{server.tail()}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            server.stop()
        try:
            database.drop()
        except Exception as error:  # the measurement stands; say what is left behind
            print(f"Could not drop the database {database.name}: {error}", file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
