#!/usr/bin/env bash
# Installs Debian's nginx, once: the front of the production setup (deploy/nginx.conf.template) and of
# the tests that run it. We only use the binary, with our own configuration and run folder; Debian's
# own service (port 80, /etc/nginx) is not ours to start or configure.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "nginx is missing. Install it with: sudo apt-get install -y nginx" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nginx >/dev/null
/usr/sbin/nginx -v
