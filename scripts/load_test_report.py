"""Turn wrk's output of two runs ($RESULT_STATIC: nginx serving the static copy; $RESULT_DJANGO:
gunicorn rendering every page) into the "## Live site under load" section of a Markdown file.

Only that section is replaced; the rest of the file is left as it is. Exits 1 if any request failed.
"""

import os
import platform
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

HEADING = "## Live site under load"


def parse(result):
    def number(pattern, default="0"):
        match = re.search(pattern, result)
        return match.group(1) if match else default

    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", result)
    return {
        "requests": number(r"(\d+) requests in"),
        "elapsed": number(r"requests in ([\d.]+\w+),"),
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "transfer": number(r"Transfer/sec:\s+(\S+)"),
        "avg": number(r"Latency\s+(\S+)"),
        "max": number(r"Latency\s+\S+\s+\S+\s+(\S+)"),
        "percentiles": re.findall(r"^\s+(50|75|90|99)%\s+(\S+)\s*$", result, re.MULTILINE),
        "non_2xx_3xx": int(number(r"Non-2xx or 3xx responses: (\d+)")),
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "socket_detail": errors.group(0) if errors else "Socket errors: none",
    }


RUNS = (
    ("STATIC", "Static copy (nginx)"),
    ("DJANGO", "Django (gunicorn)"),
)


def errors(figures):
    return figures["non_2xx_3xx"] + figures["socket_errors"]


def rows(runs):
    """The table's rows: one column per run."""
    percentiles = [p for p, _ in runs[0]["percentiles"]]

    def row(label, value):
        return f"| {label} | " + " | ".join(value(figures) for figures in runs) + " |"

    lines = [
        row("Requests", lambda f: f"{f['requests']} in {f['elapsed']}"),
        row("Throughput", lambda f: f"**{f['rps']} requests/s** ({f['transfer']}/s)"),
        row("Latency, mean", lambda f: f["avg"]),
    ]
    for p in percentiles:
        lines.append(row(f"p{p}", lambda f, p=p: dict(f["percentiles"]).get(p, "–")))
    lines.append(row("Latency, max", lambda f: f["max"]))
    lines.append(
        row("Errors", lambda f: f"{errors(f)} (non-2xx/3xx: {f['non_2xx_3xx']}; {f['socket_detail']})")
    )
    return "\n".join(lines)


def section(runs, env):
    cpu = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    wrk_version = (wrk.stdout or wrk.stderr).split(" Copyright")[0].strip()
    static, django = runs
    ratio = float(static["rps"]) / float(django["rps"]) if float(django["rps"]) else 0
    header = "| Measure | " + " | ".join(label for _, label in RUNS) + " |"
    return f"""{HEADING}

Measured {date.today():%-d %B %Y} with `make loadtest` (`scripts/load-test.sh`), on loopback, the site
started as `make serve-production` starts it, with `cms.settings.production` (HTTPS enforced; wrk sends
`X-Forwarded-Proto: https` as the TLS proxy would), database {env["DATABASE"]}, demo content. Two runs of
wrk ({wrk_version}), {env["THREADS"]} threads, {env["CONNECTIONS"]} connections for {env["DURATION"]} each,
response timeout {env["TIMEOUT"]} (wrk's default of 2 s would count slower responses as errors),
taking in turn the home page, the case study and the news release:

- **Static copy (nginx)**: the public site as deployed. nginx ({env["NGINX_VERSION"]},
  {env["NGINX_WORKERS"]} worker processes) answers from the static copy, which the task worker had
  brought up to date before the run (the script waits for it and checks nginx answers each page
  from the copy's files).
- **Django (gunicorn)**: the same pages from gunicorn directly, {env["WORKERS"]} sync workers and
  whitenoise, every page rendered by Django on each request (no page cache), as the site was served
  before nginx was put in front.

Machine: {cpu} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()};
wrk and the servers share the CPUs; load average just before each run: {env["LOAD_BEFORE_STATIC"]}
(static copy), {env["LOAD_BEFORE_DJANGO"]} (Django).

{header}
| --- | --- | --- |
{rows(runs)}

The static copy answers **{ratio:,.0f}×** as many requests per second as Django. Static files are
not part of either run.
"""


def main(path):
    runs = [parse(os.environ[f"RESULT_{name}"]) for name, _ in RUNS]
    target = Path(path)
    text = target.read_text() if target.exists() else "# Performance\n"
    new = section(runs, os.environ)
    # The section ends at the next heading or at another section's marker comment.
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |^<!-- |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: new + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + new
    target.write_text(text)
    sys.stdout.write(f"Wrote the results to {path}.\n")
    failed = [label for (_, label), figures in zip(RUNS, runs, strict=True) if errors(figures)]
    if failed:
        sys.stderr.write(f"Some requests failed ({', '.join(failed)}): see the Errors row.\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
