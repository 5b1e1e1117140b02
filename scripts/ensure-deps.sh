#!/bin/sh
# Installs the npm dependencies (including Node 24 itself, from the `node` package) when they are
# missing or older than package-lock.json. `ensure-deps.sh image` also installs what
# `npm run image` needs (mmdebstrap, umoci); `ensure-deps.sh node` what a real local node needs
# (containerd, runc, CNI plugins, umoci). npm puts node_modules/.bin first on PATH for scripts,
# so every later `node` in an npm script is the pinned Node 24, whatever Node ran npm.
set -eu
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/node ] || [ ! -f node_modules/.package-lock.json ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
  else
    npm install --no-audit --no-fund --loglevel=error
  fi
fi

# How to run apt-get as root: directly, through `sudo -n`, or not at all ("none").
as_root_prefix() {
  if [ "$(id -u)" -eq 0 ]; then
    echo ""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "sudo -n"
  else
    echo "none"
  fi
}

# Installs one Debian package quietly. A stale or empty package index is the usual cause of a
# failed install, so the index is refreshed only then. Failures are left to the caller to report.
apt_install() {
  command -v apt-get >/dev/null 2>&1 || return 0
  as_root=$(as_root_prefix)
  [ "$as_root" != "none" ] || return 0
  # $as_root is unquoted on purpose: it is empty or the two words `sudo -n`.
  # shellcheck disable=SC2086
  $as_root env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y --no-install-recommends "$1" >/dev/null 2>&1 \
    || { $as_root apt-get update >/dev/null 2>&1 \
      && $as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "$1" >/dev/null 2>&1; } \
    || true
}

# The SSH git test server (packages/testkit/src/ssh-git-server.ts) runs the system's sshd. Install
# Debian's openssh-server when it is missing; a failure only warns, because everything but the SSH
# tests works without it and those fail with their own clear message.
if [ ! -x /usr/sbin/sshd ]; then
  apt_install openssh-server
fi
if [ ! -x /usr/sbin/sshd ]; then
  echo "warning: /usr/sbin/sshd is missing and could not be installed (install openssh-server);" \
    "the SSH git server tests will fail" >&2
fi

# Commit signature verification (AppProject signatureKeys) runs Debian's gpg, in the controller and
# in its tests (test/e2e/gpg-signatures.test.ts, packages/infra/src/git/gpg.test.ts), which also
# sign with it. A failure only warns: only those tests need it.
if ! command -v gpg >/dev/null 2>&1; then
  apt_install gnupg
fi
if ! command -v gpg >/dev/null 2>&1; then
  echo "warning: gpg is missing and could not be installed (install gnupg);" \
    "the commit signature tests will fail" >&2
fi

# The OCI Helm chart tests (packages/testkit/src/oci-registry.ts, test/e2e/helm-oci.test.ts) run
# Debian's docker-registry (CNCF distribution) on a loopback port with their own config. Its
# postinst enables a systemd unit, which starts nothing where no systemd runs (and the tests never
# use it). A failure only warns: only those tests need it, and they fail with their own message.
if [ ! -x /usr/bin/docker-registry ]; then
  apt_install docker-registry
fi
if [ ! -x /usr/bin/docker-registry ]; then
  echo "warning: /usr/bin/docker-registry is missing and could not be installed" \
    "(install docker-registry); the OCI Helm chart tests will fail" >&2
fi

# The web UI's browser tests (test/e2e/ui.test.ts) drive Debian's Chromium through playwright-core,
# which downloads no browser of its own. A failure only warns: only those tests need it.
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "warning: /usr/bin/chromium is missing and could not be installed (install chromium);" \
    "the web UI browser tests will fail" >&2
fi

# `npm run image` (scripts/image.ts) builds the OCI image without Docker: mmdebstrap makes the
# Debian root filesystem, umoci packs and unpacks the OCI layout. Only that command needs them, and
# it fails with its own message when they are missing, so here a failure only warns.
if [ "${1:-}" = "image" ]; then
  for tool in mmdebstrap umoci; do
    if ! command -v "$tool" >/dev/null 2>&1; then
      apt_install "$tool"
    fi
    if ! command -v "$tool" >/dev/null 2>&1; then
      echo "warning: $tool is missing and could not be installed (apt-get install $tool);" \
        "npm run image needs it" >&2
    fi
  done
fi

# A real node for the local control plane (`gitward dev cluster up --node real`, startRealNode,
# test/e2e/real-node.test.ts) runs Debian's containerd, runc and CNI plugins (/usr/lib/cni), and
# packs its pause image with umoci. Plain `npm start` never needs them; a real node fails with its
# own message naming this command when they are missing, so here a failure only warns.
if [ "${1:-}" = "node" ]; then
  for pkg in containerd:/usr/bin/containerd runc:/usr/sbin/runc \
    containernetworking-plugins:/usr/lib/cni/bridge umoci:/usr/bin/umoci iptables:/usr/sbin/iptables; do
    name=${pkg%%:*}
    file=${pkg#*:}
    if [ ! -x "$file" ]; then
      apt_install "$name"
    fi
    if [ ! -x "$file" ]; then
      echo "warning: $file is missing and could not be installed (apt-get install $name);" \
        "a real local node needs it" >&2
    fi
  done
fi

# The benchmark's peers (bench/peer-argocd.ts, `npm run bench`) run Argo CD beside Debian's
# redis-server. Only that bench run needs it; without it the bench says Argo CD was not measured
# and why, so here a failure only warns.
if [ "${1:-}" = "peers" ]; then
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install redis-server
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    echo "warning: redis-server is missing and could not be installed (apt-get install redis-server);" \
      "the bench's Argo CD run needs it" >&2
  fi
fi
