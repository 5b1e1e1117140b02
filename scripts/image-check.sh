#!/usr/bin/env bash
# Runs the unpacked image as a container runtime would, without one: the root filesystem mounted
# read-only, only the image's writable paths (tmpfs) writable, as the image's non-root user.
# scripts/image.ts starts it inside `unshare --mount`, so the mounts vanish with it.
#
# Usage: image-check.sh ROOTFS UID WRITABLE_PATH...
# Prints each check (on stderr) and its output; exits non-zero at the first check that fails.
set -euo pipefail
rootfs=$1 uid=$2
shift 2

mount --bind "$rootfs" "$rootfs"
mount -o remount,bind,ro "$rootfs"
for p in "$@"; do
  mount -t tmpfs -o "mode=1777,size=64m" tmpfs "$rootfs$p"
done
# What a container runtime provides: /proc (Node reads /proc/self) and /dev (/dev/null, urandom).
mount -t proc proc "$rootfs/proc"
mount --rbind /dev "$rootfs/dev"

in_image() {
  printf '$ %s\n' "$*" >&2
  chroot --userspec="$uid:$uid" "$rootfs" /usr/bin/env -i PATH=/usr/local/bin:/usr/bin:/bin \
    HOME=/home/gitward "$@"
}

# `gitward version --client` is the check; a tree without the version command yet falls back to
# the CLI's help, which still proves Node runs gitward's sources from the image.
err=$(mktemp)
trap 'rm -f "$err"' EXIT
if ! in_image gitward version --client 2>"$err"; then
  if grep -q "unknown command 'version'" "$err"; then
    echo "(this gitward has no version command: checking --help instead)"
    in_image gitward --help | head -1
  else
    cat "$err" >&2
    exit 1
  fi
fi
# The two processes load their whole module graph (every import resolves from the image's
# node_modules) before they read their configuration; without a cluster they then stop with a
# configuration error, which is the expected outcome here. A missing module is the failure.
for process in controller server; do
  rc=0
  in_image timeout 30 gitward "$process" >"$err" 2>&1 || rc=$?
  if grep -Eq 'ERR_MODULE_NOT_FOUND|ERR_UNKNOWN_FILE_EXTENSION|Cannot find (module|package)' "$err"; then
    cat "$err" >&2
    echo "image-check: gitward $process cannot load its modules from the image" >&2
    exit 1
  fi
  echo "gitward $process loaded its modules; without a cluster it exits $rc:" \
    "$(grep -m1 -E '^[A-Za-z]*Error:' "$err" || tail -n1 "$err")"
done
in_image helm version
in_image kustomize version
in_image jsonnet --version
in_image git --version
in_image ssh -V
in_image gpg --version | head -1
# The root filesystem is read-only, and the user is not root.
if in_image touch /opt/gitward/x 2>/dev/null; then
  echo "image-check: /opt/gitward is writable: the root filesystem is not read-only" >&2
  exit 1
fi
in_image id -u
in_image sh -c 'echo ok >"$HOME/probe" && echo ok >/tmp/probe && echo "writable: $HOME /tmp"'
