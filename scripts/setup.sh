#!/usr/bin/env bash
# Installs everything iouring-bench needs on Debian bookworm with Node 20, then builds it:
# Debian packages (liburing-dev for the ring; cmake, googletest and clang's sanitizer runtimes
# for the native tests; fio for the fio baseline; chromium, prometheus's promtool, the
# Prometheus Pushgateway (--push's test starts its own, never the service) and libxml2-utils'
# xmllint for the report tests; containers-common's default seccomp profile for the io_uring
# profile's test; podman and runc for the real container test; ansible-core for the fleet
# playbook's test; valgrind for scripts/bench/instructions-per-op.mjs and its test; clang-format
# for the lint), npm dependencies, the native addon and the TypeScript. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(liburing-dev pkg-config g++ make python3 cmake googletest fio chromium prometheus prometheus-pushgateway libxml2-utils clang-format golang-github-containers-common ansible-core podman runc valgrind)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=()
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # An update first only if the package lists are missing (fresh containers ship without them).
  if ! apt-cache show liburing-dev >/dev/null 2>&1; then "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 update -qq; fi
  "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "setup: npm dependencies"
npm ci --no-fund --no-audit --loglevel=error
echo "setup: building the native addon and the TypeScript"
npm run --silent build >/dev/null
echo "setup: done"
