#!/usr/bin/env bash
# Builds the local control plane and renderer binaries from their official Go modules into
# <cache-dir>/bin/<version-set> (default ~/.cache/gitward). Each binary is built only
# when missing, so a warm cache costs nothing. Go's module and build caches are reused.
#
# Usage: build-binaries.sh [--cache-dir DIR] [--print-dir | --print-jsonnet-name | --renderers-only | --kubelet]
# --renderers-only builds helm, kustomize and gitward-jsonnet alone (what the Dockerfile needs).
# --kubelet builds kubelet alone, into the same version-set directory: only a real node
# (startRealNode, `gitward dev cluster up --node real`) needs it, so it is an optional target that
# neither changes the directory's name nor makes the other binaries rebuild.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../versions.env
source "$here/../versions.env"

export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
cache="$HOME/.cache/gitward"; print_dir=false; print_jsonnet=false; renderers_only=false; kubelet_only=false
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cache-dir) cache="$2"; shift 2 ;;
    --print-dir) print_dir=true; shift ;;
    --print-jsonnet-name) print_jsonnet=true; shift ;;
    --renderers-only) renderers_only=true; shift ;;
    --kubelet) kubelet_only=true; shift ;;
    *) echo "build-binaries: unknown argument $1" >&2; exit 2 ;;
  esac
done
set_id="k${KUBERNETES_VERSION}-e${ETCD_VERSION}-w${KWOK_VERSION}-h${HELM_VERSION}-z${KUSTOMIZE_VERSION}-j${JSONNET_VERSION}"
bin="$cache/bin/$set_id"
src="$cache/src"
# Not the stock jsonnet binary (its imports reach any file on disk) but gitward's confining
# evaluator (tools/jsonnet). Its file name carries a hash of its source, so a change to the tool
# rebuilds it without renaming the version-set directory. binaries.ts computes the same hash.
jsonnet_src="$here/../tools/jsonnet"
jsonnet_hash() {
  (cd "$jsonnet_src" && cat go.mod go.sum $(LC_ALL=C ls -- *.go | grep -v '_test\.go$')) | sha256sum | cut -c1-16
}
grep -q "github.com/google/go-jsonnet v$JSONNET_VERSION\$" "$jsonnet_src/go.mod" ||
  { echo "build-binaries: tools/jsonnet/go.mod must require go-jsonnet v$JSONNET_VERSION (versions.env)" >&2; exit 2; }
jsonnet_bin="gitward-jsonnet-$(jsonnet_hash)"
if $print_dir; then echo "$bin"; exit 0; fi
if $print_jsonnet; then echo "$jsonnet_bin"; exit 0; fi

command -v go >/dev/null || { echo "build-binaries: Go >= 1.24 is required to build the local control plane (https://go.dev/dl/)" >&2; exit 3; }
mkdir -p "$bin" "$src"
# Two runs at once (npm start beside npm test) wait for each other instead of racing on files.
exec 9>"$cache/build.lock"
flock 9
log() { printf '[build-binaries] %s\n' "$*" >&2; }
have() { for b in "$@"; do [[ -x "$bin/$b" ]] || return 1; done; }
timed() { local name=$1; shift; local t0=$SECONDS; "$@"; log "$name built in $((SECONDS - t0))s"; echo "$name $((SECONDS - t0))" >>"$bin/.build-times"; }

# A throwaway main module per tool: a dependency's replace lines are ignored, which is what
# makes k8s.io/kubernetes and etcd's server module buildable outside their own repositories.
new_module() { rm -rf "$1"; mkdir -p "$1"; (cd "$1" && printf 'module local/%s\n\ngo %s\n' "$2" "$3" >go.mod); }

# The module k8s.io/kubernetes binaries are built in: its staging repos, which it requires at
# v0.0.0 and replaces with ./staging, point at their published tags instead.
k8s_module() { # dir
  local k=$KUBERNETES_VERSION stg="0.${KUBERNETES_VERSION#1.}" kmod
  new_module "$1" k8sbin 1.24.0
  cd "$1"
  printf '\ngodebug default=go1.24\n' >>go.mod
  kmod=$(go mod download -json "k8s.io/kubernetes@v$k" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
  for m in $(awk '$1 ~ /^k8s\.io\// && $2 == "v0.0.0" {print $1}' "$kmod"); do
    go mod edit "-replace=$m=$m@v$stg"
  done
}

# Version stamps, build tags and flags shared by every k8s.io/kubernetes binary.
k8s_build() { # packages...
  local k=$KUBERNETES_VERSION minor
  minor=$(echo "$k" | cut -d. -f2)
  local x="-X k8s.io/component-base/version.gitVersion=v$k -X k8s.io/component-base/version.gitMajor=1"
  x+=" -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean"
  x+=" -X k8s.io/component-base/version.gitCommit=0000000000000000000000000000000000000000"
  x+=" -X k8s.io/client-go/pkg/version.gitVersion=v$k -X k8s.io/client-go/pkg/version.gitMajor=1"
  x+=" -X k8s.io/client-go/pkg/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitTreeState=clean"
  go build -trimpath -tags selinux,notest,grpcnotrace -ldflags "-s -w $x" -o "$bin/" "$@"
}

build_kubernetes() {
  local k=$KUBERNETES_VERSION
  k8s_module "$src/kubernetes-$k"
  go get -tool "k8s.io/kubernetes/cmd/kube-apiserver@v$k" "k8s.io/kubernetes/cmd/kube-controller-manager@v$k" \
    "k8s.io/kubernetes/cmd/kube-scheduler@v$k" "k8s.io/kubernetes/cmd/kubectl@v$k"
  k8s_build k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler k8s.io/kubernetes/cmd/kubectl
}

# kubelet in a module of its own, so building it never rewrites the control plane's module.
build_kubelet() {
  local k=$KUBERNETES_VERSION
  k8s_module "$src/kubelet-$k"
  go get -tool "k8s.io/kubernetes/cmd/kubelet@v$k"
  k8s_build k8s.io/kubernetes/cmd/kubelet
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

if $kubelet_only; then
  have kubelet || timed kubelet build_kubelet
  log "kubelet present in $bin"
  echo "$bin"
  exit 0
fi
if ! $renderers_only; then
have kube-apiserver kube-controller-manager kube-scheduler kubectl || timed kubernetes build_kubernetes
have etcd || timed etcd build_etcd
have kwok || timed kwok build_tool kwok sigs.k8s.io/kwok sigs.k8s.io/kwok/cmd/kwok "$KWOK_VERSION" 1.26.0 \
  "-X sigs.k8s.io/kwok/pkg/consts.Version=v$KWOK_VERSION"
# Standalone kwok does nothing without Stage objects ("no stages found"); only kwokctl adds the
# defaults. Take the "fast" stages from kwok's own module so they match the binary.
write_kwok_stages() {
  local dir
  dir=$(cd "$src/kwok-$KWOK_VERSION" && go mod download -json "sigs.k8s.io/kwok@v$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  local out="$bin/kwok-stages.yaml.tmp"
  : >"$out"
  for f in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
    cat "$dir/kustomize/stage/$f.yaml" >>"$out"
    printf '\n---\n' >>"$out"
  done
  mv "$out" "$bin/kwok-stages.yaml"
}
[[ -f "$bin/kwok-stages.yaml" ]] || write_kwok_stages
fi
have helm || timed helm build_tool helm helm.sh/helm/v3 helm.sh/helm/v3/cmd/helm "$HELM_VERSION" 1.24.0 \
  "-X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
have kustomize || timed kustomize build_tool kustomize sigs.k8s.io/kustomize/kustomize/v5 sigs.k8s.io/kustomize/kustomize/v5 "$KUSTOMIZE_VERSION" 1.24.0 \
  "-X sigs.k8s.io/kustomize/api/provenance.version=v$KUSTOMIZE_VERSION"
build_jsonnet() {
  cd "$jsonnet_src"
  go build -trimpath -ldflags "-s -w -X main.goJsonnetVersion=$JSONNET_VERSION" -o "$bin/$jsonnet_bin.tmp" .
  mv "$bin/$jsonnet_bin.tmp" "$bin/$jsonnet_bin"
}
have "$jsonnet_bin" || timed jsonnet build_jsonnet
if $renderers_only; then log "helm, kustomize and jsonnet present in $bin"; else log "all binaries present in $bin"; fi
echo "$bin"
