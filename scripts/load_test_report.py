"""Turn wrk's output (in $RESULT) into the "## Live site under load" section of a Markdown file.

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


def section(figures, env):
    cpu = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)
    wrk_version = (wrk.stdout or wrk.stderr).split(" Copyright")[0].strip()
    rows = "\n".join(f"| p{p} | {value} |" for p, value in figures["percentiles"])
    errors = figures["non_2xx_3xx"] + figures["socket_errors"]
    return f"""{HEADING}

Measured {date.today():%-d %B %Y} with `make loadtest` (`scripts/load-test.sh`): gunicorn with
`cms.settings.production` (HTTPS enforced; wrk sends `X-Forwarded-Proto: https` as the TLS proxy would),
{env["WORKERS"]} sync workers, whitenoise, database {env["DATABASE"]}, demo content.
wrk ({wrk_version}) on loopback, {env["THREADS"]} threads, {env["CONNECTIONS"]} connections for
{env["DURATION"]}, response timeout {env["TIMEOUT"]} (wrk's default of 2 s would count slower responses
as errors), taking in turn the home page, the case study and the news release.
Machine: {cpu} CPUs, {platform.system()} {platform.release()}, Python {platform.python_version()};
wrk and the server share the CPUs; load average just before the run: {env["LOAD_BEFORE"]}.

| Measure | Result |
| --- | --- |
| Requests | {figures["requests"]} in {figures["elapsed"]} |
| Throughput | **{figures["rps"]} requests/s** ({figures["transfer"]}/s) |
| Latency, mean | {figures["avg"]} |
{rows}
| Latency, max | {figures["max"]} |
| Errors | {errors} (non-2xx/3xx: {figures["non_2xx_3xx"]}; {figures["socket_detail"]}) |

Every page is rendered by Django on each request (no page cache); static files come from whitenoise
and are not part of the run.
"""


def main(path):
    figures = parse(os.environ["RESULT"])
    target = Path(path)
    text = target.read_text() if target.exists() else "# Performance\n"
    new = section(figures, os.environ)
    # The section ends at the next heading or at another section's marker comment.
    pattern = re.compile(rf"^{re.escape(HEADING)}\n.*?(?=^## |^<!-- |\Z)", re.MULTILINE | re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: new + "\n", text, count=1).rstrip("\n") + "\n"
    else:
        text = text.rstrip("\n") + "\n\n" + new
    target.write_text(text)
    sys.stdout.write(f"Wrote the results to {path}.\n")
    if figures["non_2xx_3xx"] or figures["socket_errors"]:
        sys.stderr.write("Some requests failed: see the Errors row.\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
