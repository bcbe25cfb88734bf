#!/usr/bin/env bash
# Loopback services the test nodes use (they share the host's network):
#   127.0.0.1:5124  HTTP server laid out like GitHub's release downloads, with the REAL SOCI release built from its
#                   Go module (tests/soci/make-release.sh; `make soci` builds it first, or this builds it)
#   127.0.0.1:5123  Debian's docker-registry, to push test images to and pull them through SOCI
#   127.0.0.1:5125  the same with HTTP basic auth (registry-private.yml), for private images
#   127.0.0.1:5126  a stand-in Kubernetes API server (HTTPS, certificate and bearer token in the state folder) serving
#                   an image pull secret for 5125, for SOCI's kubeconfig keychain (standins/kube-apiserver-standin.py)
# and pushes the test images (test-images.sh) to both registries; the EKS AL2023 AMI's SOCI package stand-in
# (ami-soci-package.sh) is built next to them.
# services.sh start|stop STATE_DIR [SOCI_VERSION]     (default version: tests/soci/env.sh)
set -euo pipefail
action=${1:?usage: services.sh start|stop STATE_DIR [SOCI_VERSION]}
state=${2:?usage: services.sh start|stop STATE_DIR [SOCI_VERSION]}
version=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$state"
state=$(cd "$state" && pwd)

up() { python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.settimeout(1)
sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))))
PY
}

start() {  # name port command...
  local name=$1 port=$2
  shift 2
  if [ -f "$state/$name.pid" ] && kill -0 "$(cat "$state/$name.pid")" 2>/dev/null; then return 0; fi
  if up "$port"; then
    echo "services.sh: 127.0.0.1:$port ($name) is taken by a process this script did not start; stop it first" >&2
    stop
    exit 1
  fi
  nohup "$@" >"$state/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
  for _ in $(seq 50); do up "$port" && return 0; sleep 0.2; done
  echo "services.sh: $name did not start on port $port:" >&2
  cat "$state/$name.log" >&2
  stop
  exit 1
}

stop() {  # every service this script started, also when a start fails half-way
  for name in release registry registry-private kube-apiserver; do
    [ -f "$state/$name.pid" ] || continue
    pid=$(cat "$state/$name.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 25); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"  # still draining after 5 s: the port must be free for the next run
    rm -f "$state/$name.pid"
  done
}

case $action in
  start)
    "$here/../../tests/soci/make-release.sh" "$version" "$state/releases" >/dev/null
    start release 5124 python3 -m http.server --bind 127.0.0.1 --directory "$state/releases" 5124
    mkdir -p "$state/registry" "$state/registry-private"
    REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$state/registry" start registry 5123 \
      docker-registry serve "$here/registry.yml"
    # bcrypt of the test password lazypull-test-only
    # shellcheck disable=SC2016  # a literal hash
    echo 'lazypull:$2b$12$J5ZC5nz8DidemV52aTLrseqjtvi0XLSmi5gHpafCrNjlwQcyjpgs6' >"$state/htpasswd"
    REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY="$state/registry-private" REGISTRY_AUTH_HTPASSWD_PATH="$state/htpasswd" \
      start registry-private 5125 docker-registry serve "$here/registry-private.yml"
    # client-go sends a kubeconfig's credentials only over TLS, as to a real API server.
    echo lazypull-test-only-token >"$state/kube-apiserver.token"
    [ -s "$state/kube-apiserver.crt" ] || openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=127.0.0.1 \
      -addext subjectAltName=IP:127.0.0.1 -keyout "$state/kube-apiserver.key" -out "$state/kube-apiserver.crt" 2>/dev/null
    start kube-apiserver 5126 python3 "$here/standins/kube-apiserver-standin.py" 5126 "$state/kube-apiserver" \
      127.0.0.1:5125 lazypull:lazypull-test-only
    built=$("$here/../../tests/soci/build.sh" "$version" 2>/dev/null | tail -n 1)
    "$here/test-images.sh" "$state" "$built/dynamic/soci"
    "$here/ami-soci-package.sh" "$state" "$built"
    echo "release server http://127.0.0.1:5124, registries 127.0.0.1:5123 and 127.0.0.1:5125 (basic auth)," \
      "Kubernetes API stand-in https://127.0.0.1:5126"
    ;;
  stop) stop ;;
  *) echo "usage: services.sh start|stop STATE_DIR [SOCI_VERSION]" >&2; exit 2 ;;
esac
