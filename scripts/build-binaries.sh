#!/usr/bin/env bash
# Builds the local control plane and renderer binaries from their official Go modules into
# $GITWARD_CACHE_DIR/bin/<version-set> (default ~/.cache/gitward). Each binary is built only
# when missing, so a warm cache costs nothing. Go's module and build caches are reused.
#
# Usage: scripts/build-binaries.sh [--print-dir]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
cache="${GITWARD_CACHE_DIR:-$HOME/.cache/gitward}"
set_id="k${KUBERNETES_VERSION}-e${ETCD_VERSION}-w${KWOK_VERSION}-h${HELM_VERSION}-z${KUSTOMIZE_VERSION}-j${JSONNET_VERSION}"
bin="$cache/bin/$set_id"
src="$cache/src"
if [[ "${1:-}" == "--print-dir" ]]; then echo "$bin"; exit 0; fi

command -v go >/dev/null || { echo "build-binaries: Go >= 1.24 is required to build the local control plane (https://go.dev/dl/)" >&2; exit 3; }
mkdir -p "$bin" "$src"
log() { printf '[build-binaries] %s\n' "$*" >&2; }
have() { for b in "$@"; do [[ -x "$bin/$b" ]] || return 1; done; }
timed() { local name=$1; shift; local t0=$SECONDS; "$@"; log "$name built in $((SECONDS - t0))s"; echo "$name $((SECONDS - t0))" >>"$bin/.build-times"; }

# A throwaway main module per tool: a dependency's replace lines are ignored, which is what
# makes k8s.io/kubernetes and etcd's server module buildable outside their own repositories.
new_module() { rm -rf "$1"; mkdir -p "$1"; (cd "$1" && printf 'module local/%s\n\ngo %s\n' "$2" "$3" >go.mod); }

build_kubernetes() {
  local k=$KUBERNETES_VERSION minor stg w=$src/kubernetes-$KUBERNETES_VERSION
  minor=$(echo "$k" | cut -d. -f2); stg="0.${k#1.}"
  new_module "$w" k8sbin 1.24.0
  cd "$w"
  printf '\ngodebug default=go1.24\n' >>go.mod
  local kmod
  kmod=$(go mod download -json "k8s.io/kubernetes@v$k" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  # k8s.io/kubernetes requires its staging repos at v0.0.0 and replaces them with ./staging;
  # point each at its published tag instead.
  for m in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$kmod"); do
    go mod edit "-replace=$m=$m@v$stg"
  done
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$k" "k8s.io/kubernetes/cmd/kube-controller-manager@v$k" \
    "k8s.io/kubernetes/cmd/kube-scheduler@v$k" "k8s.io/kubernetes/cmd/kubectl@v$k"
  local x="-X k8s.io/component-base/version.gitVersion=v$k -X k8s.io/component-base/version.gitMajor=1"
  x+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  x+=" -X k8s.io/component-base/version.gitCommit=0000000000000000000000000000000000000000"
  x+=" -X k8s.io/client-go/pkg/version.gitVersion=v$k -X k8s.io/client-go/pkg/version.gitMajor=1"
  x+=" -X k8s.io/client-go/pkg/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitTreeState=clean"
  go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "-s -w $x" -o "$bin/" \
    k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}

build_etcd() {
  local w=$src/etcd-$ETCD_VERSION
  new_module "$w" etcdbin 1.24.0
  cd "$w"
  go get -tool "go.etcd.io/etcd/server/v3@v$ETCD_VERSION"
  # The package is named "v3", so -o is needed to get a binary called etcd.
  go build -trimpath -ldflags "-s -w" -o "$bin/etcd" go.etcd.io/etcd/server/v3
}

build_tool() { # name module package version goversion [ldflags]
  local name=$1 mod=$2 pkg=$3 ver=$4 gov=$5 ld=${6:-} w=$src/$1-$4
  new_module "$w" "${name}bin" "$gov"
  cd "$w"
  go get -tool "$pkg@v$ver"
  go build -trimpath -ldflags "-s -w $ld" -o "$bin/$name" "$pkg"
}

have kube-apiserver kube-controller-manager kube-scheduler kubectl || timed kubernetes build_kubernetes
have etcd || timed etcd build_etcd
have kwok || timed kwok build_tool kwok sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" 1.26.0 \
  "-X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION"
have helm || timed helm build_tool helm helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm "$HELM_VERSION" 1.24.0 \
  "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
have kustomize || timed kustomize build_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" 1.24.0 \
  "-X sigs.k8s.io/kustomize/api/provenance.version=v$KUSTOMIZE_VERSION"
have jsonnet || timed jsonnet build_tool jsonnet github.com/google/go-jsonnet github.com/google/go-jsonnet/cmd/jsonnet "$JSONNET_VERSION" 1.24.0
log "all binaries present in $bin"
echo "$bin"
