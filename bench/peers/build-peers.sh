#!/usr/bin/env bash
# Builds the peers the bench runs beside gitward (issue 16 §4) from their official Go modules, the
# way packages/local-cluster/scripts/build-binaries.sh builds the Kubernetes binaries:
#   flux:   github.com/fluxcd/source-controller and kustomize-controller, plus their CRDs
#           (config/crd/bases of each module)
#   argocd: github.com/argoproj/argo-cd/v3's multi-call binary (cmd), run by symlink name as
#           argocd-application-controller and argocd-repo-server, plus its CRDs (manifests/crds)
# Each lands in <cache>/peers/<name>-<version> (default ~/.cache/gitward) and is built only when
# missing. Only the Go module proxy is used; no git, no download sites.
#
# Usage: build-peers.sh [--cache-dir DIR] [--print-dir NAME] flux|argocd...
# Prints "<name> <dir>" per built peer on stdout; logs go to stderr.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=./versions.env
source "$here/versions.env"

cache="$HOME/.cache/gitward"; print_dir=""; targets=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --cache-dir) cache="$2"; shift 2 ;;
    --print-dir) print_dir="$2"; shift 2 ;;
    flux | argocd) targets+=("$1"); shift ;;
    *) echo "build-peers: unknown argument $1" >&2; exit 2 ;;
  esac
done
flux_dir="$cache/peers/flux-v$FLUX_SOURCE_CONTROLLER_VERSION-v$FLUX_KUSTOMIZE_CONTROLLER_VERSION"
argocd_dir="$cache/peers/argocd-v$ARGOCD_VERSION"
case "$print_dir" in
  flux) echo "$flux_dir"; exit 0 ;;
  argocd) echo "$argocd_dir"; exit 0 ;;
  "") ;;
  *) echo "build-peers: unknown peer $print_dir" >&2; exit 2 ;;
esac
[[ ${#targets[@]} -gt 0 ]] || targets=(flux argocd)

command -v go >/dev/null || { echo "build-peers: Go is required to build the peers" >&2; exit 3; }
# The machine's module proxy alone: "direct" would try the modules' VCS hosts, which this machine
# cannot reach (and a refused module would then fail there, with a less useful message).
proxy=$(GOTOOLCHAIN=local go env GOPROXY)
export GOPROXY="${proxy%,direct}" CGO_ENABLED=0 GOFLAGS="-mod=mod -buildvcs=false"
# Both peers' go.mod name Go 1.27, newer than the machine's; the Go module proxy serves that toolchain.
export GOTOOLCHAIN=$PEERS_GOTOOLCHAIN
log() { printf '[build-peers] %s\n' "$*" >&2; }

# The replace directives of a module's go.mod (block and single-line forms) as
# "old[ version]=new[ version]" pairs for `go mod edit -replace`, leaving out local-path targets
# (those point inside the module's own repository and are required at their tags instead).
replaces_of() { # go.mod
  awk '
    /^replace[ \t]*\(/ { block = 1; next }
    block && /^\)/ { block = 0; next }
    /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); print; next }
    block { print }
  ' "$1" | sed 's://.*$::' | awk 'NF >= 3 && $0 ~ /=>/ {
      split($0, side, "=>"); n = split(side[1], l, " "); m = split(side[2], r, " ")
      if (r[1] ~ /^\.|^\//) next
      lhs = l[1]; if (n > 1) lhs = lhs "@" l[2]
      rhs = r[1]; if (m > 1) rhs = rhs "@" r[2]
      print lhs "=" rhs
    }'
}

mod_field() { # module@version field
  go mod download -json "$1" | sed -n "s/.*\"$2\": \"\(.*\)\".*/\1/p"
}

# A throwaway main module that requires the peer's module and copies its replace block, since a
# dependency's replace lines are ignored (the same reason build-binaries.sh uses one).
wrapper() { # dir name module@version
  rm -rf "$1"; mkdir -p "$1"
  (cd "$1" && printf 'module local/%s\n\ngo 1.24.0\n' "$2" >go.mod)
  local gomod r
  gomod=$(cd "$1" && mod_field "$3" GoMod)
  while read -r r; do
    if [[ -n "$r" ]]; then (cd "$1" && go mod edit "-replace=$r"); fi
  done < <(replaces_of "$gomod")
}

build_flux() {
  local out=$flux_dir tmp="$flux_dir.tmp" w name mod dir r sc=$FLUX_SOURCE_CONTROLLER_VERSION kc=$FLUX_KUSTOMIZE_CONTROLLER_VERSION
  rm -rf "$tmp"; mkdir -p "$tmp/crds"
  w="$cache/peers/src/flux-v$sc-v$kc"
  log "building github.com/fluxcd/source-controller@v$sc and kustomize-controller@v$kc"
  # One module for both controllers: each one's replace block, and the substitutes versions.env
  # names for modules the proxy refuses.
  wrapper "$w" flux "github.com/fluxcd/source-controller@v$sc"
  while read -r r; do
    if [[ -n "$r" ]]; then (cd "$w" && go mod edit "-replace=$r"); fi
  done < <(replaces_of "$(cd "$w" && mod_field "github.com/fluxcd/kustomize-controller@v$kc" GoMod)")
  for r in ${FLUX_REPLACE:-}; do (cd "$w" && go mod edit "-replace=$r"); done
  (cd "$w" && go get "github.com/fluxcd/source-controller@v$sc" "github.com/fluxcd/kustomize-controller@v$kc")
  for name in source-controller kustomize-controller; do
    mod=github.com/fluxcd/$name
    (cd "$w" && go build -trimpath -ldflags "-s -w" -o "$tmp/$name" "$mod")
    dir=$(cd "$w" && mod_field "$mod@$(cd "$w" && go list -m -f '{{.Version}}' "$mod")" Dir)
    cp "$dir"/config/crd/bases/*.yaml "$tmp/crds/"
  done
  chmod -R u+w "$tmp"
  rm -rf "$out"; mv "$tmp" "$out"
}

# The scripts Argo CD's image puts on PATH beside the binary: the repo-server runs
# git-verify-wrapper.sh on every manifest generation (v3.6 still calls it when GPG is off) and
# fails with "permission denied" when it is missing.
argocd_scripts() { # out
  local dir
  dir=$(cd "$cache/peers/src/argocd-v$ARGOCD_VERSION" && mod_field "github.com/argoproj/argo-cd/v3@v$ARGOCD_VERSION" Dir)
  install -m 0755 "$dir/hack/git-verify-wrapper.sh" "$dir/hack/gpg-wrapper.sh" "$1/"
}

build_argocd() {
  local out=$argocd_dir tmp="$argocd_dir.tmp" w="$cache/peers/src/argocd-v$ARGOCD_VERSION" mod=github.com/argoproj/argo-cd/v3 dir
  rm -rf "$tmp"; mkdir -p "$tmp/crds"
  log "building $mod@v$ARGOCD_VERSION with $GOTOOLCHAIN"
  wrapper "$w" argocd "$mod@v$ARGOCD_VERSION"
  (cd "$w" && go get "$mod/cmd@v$ARGOCD_VERSION" "github.com/argoproj/argo-cd/gitops-engine/v3@v$ARGOCD_VERSION" \
    && go build -trimpath -ldflags "-s -w -X $mod/common.version=$ARGOCD_VERSION" -o "$tmp/argocd" "$mod/cmd")
  dir=$(cd "$w" && mod_field "$mod@v$ARGOCD_VERSION" Dir)
  cp "$dir"/manifests/crds/*-crd.yaml "$tmp/crds/"
  ln -s argocd "$tmp/argocd-application-controller"
  ln -s argocd "$tmp/argocd-repo-server"
  argocd_scripts "$tmp"
  chmod -R u+w "$tmp"
  rm -rf "$out"; mv "$tmp" "$out"
}

mkdir -p "$cache/peers/src"
for t in "${targets[@]}"; do
  case "$t" in
    flux)
      # One lock per peer, so the two can build at once but two runs of one wait for each other.
      exec 8>"$cache/peers/flux.lock"; flock 8
      if [[ -x "$flux_dir/source-controller" && -x "$flux_dir/kustomize-controller" ]]; then log "flux present"; else
        t0=$SECONDS; build_flux; log "flux built in $((SECONDS - t0))s"; fi
      exec 8>&-
      echo "flux $flux_dir" ;;
    argocd)
      exec 7>"$cache/peers/argocd.lock"; flock 7
      if [[ -x "$argocd_dir/argocd" ]]; then
        log "argocd present"
        [[ -x "$argocd_dir/git-verify-wrapper.sh" ]] || argocd_scripts "$argocd_dir"
      else
        t0=$SECONDS; build_argocd; log "argocd built in $((SECONDS - t0))s"; fi
      exec 7>&-
      echo "argocd $argocd_dir" ;;
  esac
done
