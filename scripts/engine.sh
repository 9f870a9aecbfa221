#!/usr/bin/env bash
# The offline Pulumi engine for the sandbox and the engine tests: the Pulumi CLI, the Kubernetes provider and
# (optionally) the Vault provider. Called by scripts/servers.sh for these names; usable on its own.
#
# Usage:
#   scripts/engine.sh path NAME          print the absolute path of a usable binary (exit 3 if none; never builds)
#   scripts/engine.sh ensure [NAME...]   same lookup, build into the cache when missing; prints NAME=/abs/path lines
#                                        (default: pulumi pulumi-resource-kubernetes, plus pulumi-resource-vault
#                                        when AGENT_TRUST_PULUMI_VAULT_SRC is set and pulumi-language-nodejs when
#                                        AGENT_TRUST_PULUMI_SRC is set)
#   scripts/engine.sh versions           print "NAME VERSION CACHE_PATH" lines
# NAME is one of: pulumi pulumi-resource-kubernetes pulumi-resource-vault pulumi-language-nodejs
#
# Lookup order:
#   pulumi                      $PULUMI_BIN, PATH `pulumi`, cache bin/pulumi-v3.248.0/pulumi
#   pulumi-resource-kubernetes  $PULUMI_KUBERNETES_BIN, ${PULUMI_HOME:-~/.pulumi}/plugins/resource-kubernetes-v4.25.0/,
#                               PATH, cache bin/pulumi-kubernetes-v4.25.0/
#   pulumi-resource-vault       $PULUMI_VAULT_BIN, ${PULUMI_HOME:-~/.pulumi}/plugins/resource-vault-v7.8.0/, PATH,
#                               cache bin/pulumi-vault-v7.8.0/; built only from $AGENT_TRUST_PULUMI_VAULT_SRC (a
#                               checkout of github.com/pulumi/pulumi-vault v7.8.0 whose upstream/ holds the patched
#                               terraform-provider-vault; see servers/README.md), because that provider is not a
#                               module the Go proxy serves.
#   pulumi-language-nodejs      $PULUMI_LANGUAGE_NODEJS_BIN, PATH, cache bin/pulumi-v3.248.0/ (next to `pulumi`, where
#                               the CLI looks for its language hosts); built only from $AGENT_TRUST_PULUMI_SRC, a git
#                               directory holding github.com/pulumi/pulumi at tag v3.248.0 (a snapshot or clone): only
#                               sdk/nodejs/cmd/pulumi-language-nodejs is taken (`git archive`), its pkg/sdk replaces are
#                               swapped for the served v3.248.0 modules. It is optional: without it the plain CLI cannot
#                               run the project (the sandbox's engine runs it inline and needs no language host).
# The provider versions are those the npm packages in package.json ask the engine for (@pulumi/kubernetes 4.25.0,
# @pulumi/vault 7.8.0); a plugin of another version is not used. Set AGENT_TRUST_SERVERS_NO_PATH=1 to skip PATH.
#
# Builds: servers/pulumi is a wrapper module (`tool github.com/pulumi/pulumi/pkg/v3/cmd/pulumi`). The Kubernetes
# provider is copied from the module cache (github.com/pulumi/pulumi-kubernetes/provider/v4 at the 4.25.0 commit),
# then servers/pulumi-kubernetes/{provider.go.mod,provider.go.sum,schema.go.patch} are applied, its embedded schema
# generated (`go run generate.go`) and the provider built. Cold: ~10 min (CLI) + ~25 min (provider) on 2 cores.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVERS="$ROOT/servers"
CACHE="${AGENT_TRUST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-trust}"
ALL_NAMES=(pulumi pulumi-resource-kubernetes pulumi-resource-vault pulumi-language-nodejs)

PULUMI_VERSION=v3.248.0
K8S_VERSION=4.25.0
K8S_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_PSEUDO=v4.0.0-20260115033456-f47bc2d6f199
VAULT_VERSION=7.8.0

log() { printf '%s\n' "engine.sh: $*" >&2; }
die() { local code="$1"; shift; log "$*"; exit "$code"; }
abspath() { local d; d="$(cd "$(dirname "$1")" && pwd)"; printf '%s/%s\n' "$d" "$(basename "$1")"; }

# Sets: VERSION KEY ENVVAR PLUGIN_DIR
describe() {
  local home="${PULUMI_HOME:-$HOME/.pulumi}"
  case "$1" in
    pulumi) VERSION=$PULUMI_VERSION; KEY="pulumi-$PULUMI_VERSION"; ENVVAR=PULUMI_BIN; PLUGIN_DIR="" ;;
    pulumi-resource-kubernetes)
      VERSION=$K8S_VERSION; KEY="pulumi-kubernetes-v$K8S_VERSION"; ENVVAR=PULUMI_KUBERNETES_BIN
      PLUGIN_DIR="$home/plugins/resource-kubernetes-v$K8S_VERSION" ;;
    pulumi-resource-vault)
      VERSION=$VAULT_VERSION; KEY="pulumi-vault-v$VAULT_VERSION"; ENVVAR=PULUMI_VAULT_BIN
      PLUGIN_DIR="$home/plugins/resource-vault-v$VAULT_VERSION" ;;
    pulumi-language-nodejs)
      # Kept next to the CLI of its own version: `pulumi` finds language hosts beside itself.
      VERSION=$PULUMI_VERSION; KEY="pulumi-$PULUMI_VERSION"; ENVVAR=PULUMI_LANGUAGE_NODEJS_BIN; PLUGIN_DIR="" ;;
    *) die 2 "unknown engine binary '$1' (expected one of: ${ALL_NAMES[*]})" ;;
  esac
}

cache_path() { printf '%s/bin/%s/%s\n' "$CACHE" "$KEY" "$1"; }

lookup() {
  local name="$1" cand
  describe "$name"
  cand="${!ENVVAR:-}"
  if [[ -n "$cand" ]]; then
    [[ -x "$cand" && -f "$cand" ]] || { log "$ENVVAR=$cand is not an executable file"; return 4; }
    abspath "$cand"; return 0
  fi
  if [[ -n "$PLUGIN_DIR" && -x "$PLUGIN_DIR/$name" ]]; then abspath "$PLUGIN_DIR/$name"; return 0; fi
  if [[ -z "${AGENT_TRUST_SERVERS_NO_PATH:-}" ]] && cand="$(command -v "$name" 2>/dev/null)" && [[ -x "$cand" ]]; then
    abspath "$cand"; return 0
  fi
  cand="$(cache_path "$name")"
  if [[ -x "$cand" ]]; then printf '%s\n' "$cand"; return 0; fi
  return 3
}

goenv() { env GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -buildvcs=false" "$@"; }

build_pulumi() { # OUT
  ( cd "$SERVERS/pulumi" && goenv go build -mod=readonly -trimpath -tags osusergo,grpcnotrace \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      -o "$1" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi ) >&2
}

build_kubernetes() { # OUT
  local src dir
  # Outside any module, so the download is checked against the checksum database and changes no go.sum.
  src="$(cd / && GOFLAGS=-mod=mod goenv go mod download -json "$K8S_MODULE@$K8S_PSEUDO" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -n "$src" && -d "$src" ]] || die 5 "go mod download $K8S_MODULE@$K8S_PSEUDO gave no directory"
  dir="$CACHE/build/pulumi-kubernetes-v$K8S_VERSION"
  rm -rf "$dir"; mkdir -p "$(dirname "$dir")"
  cp -R "$src" "$dir"; chmod -R u+w "$dir"
  # cmd/pulumi-gen-kubernetes imports codegen packages pkg v3.248.0 no longer has; the provider does not need it.
  rm -rf "$dir/cmd/pulumi-gen-kubernetes"
  # go.mod: sdk/v4 from the proxy (not ../sdk), pkg/sdk v3.248.0, tidied (see servers/README.md).
  cp "$SERVERS/pulumi-kubernetes/provider.go.mod" "$dir/go.mod"
  cp "$SERVERS/pulumi-kubernetes/provider.go.sum" "$dir/go.sum"
  patch -s -d "$dir" -p1 <"$SERVERS/pulumi-kubernetes/schema.go.patch"
  ( cd "$dir/cmd/pulumi-resource-kubernetes" && VERSION=$K8S_VERSION goenv go run -mod=readonly generate.go ) >&2
  ( cd "$dir" && goenv go build -mod=readonly -trimpath \
      -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$K8S_VERSION" \
      -o "$1" ./cmd/pulumi-resource-kubernetes ) >&2
  rm -rf "$dir"
}

build_vault() { # OUT
  local src="${AGENT_TRUST_PULUMI_VAULT_SRC:-}" tfgen
  [[ -n "$src" ]] || die 3 "pulumi-resource-vault not found and AGENT_TRUST_PULUMI_VAULT_SRC is not set; the Vault half runs without the engine"
  [[ -f "$src/provider/go.mod" && -d "$src/upstream" ]] || die 2 "AGENT_TRUST_PULUMI_VAULT_SRC=$src is not a pulumi-vault checkout with upstream/"
  tfgen="$(mktemp -d)"
  ( cd "$src/provider" \
    && goenv go build -trimpath -o "$tfgen/pulumi-tfgen-vault" ./cmd/pulumi-tfgen-vault \
    && PULUMI_CONVERT=0 "$tfgen/pulumi-tfgen-vault" schema --skip-examples --out cmd/pulumi-resource-vault \
    && ( cd cmd/pulumi-resource-vault && VERSION=$VAULT_VERSION goenv go run generate.go ) \
    && goenv go build -trimpath \
         -ldflags "-s -w -X github.com/pulumi/pulumi-vault/provider/v7/pkg/version.Version=$VAULT_VERSION" \
         -o "$1" ./cmd/pulumi-resource-vault ) >&2 || { rm -rf "$tfgen"; return 1; }
  rm -rf "$tfgen"
}

build_language_nodejs() { # OUT
  local src="${AGENT_TRUST_PULUMI_SRC:-}" dir folder=sdk/nodejs/cmd/pulumi-language-nodejs
  [[ -n "$src" ]] || die 3 "pulumi-language-nodejs not found and AGENT_TRUST_PULUMI_SRC is not set (it names a git directory of github.com/pulumi/pulumi with tag $PULUMI_VERSION); without it the plain pulumi CLI cannot run this Node.js project"
  git --git-dir="$src" rev-parse --verify --quiet "$PULUMI_VERSION^{commit}" >/dev/null 2>&1 \
    || die 2 "AGENT_TRUST_PULUMI_SRC=$src is not a git directory of github.com/pulumi/pulumi with tag $PULUMI_VERSION"
  dir="$(mktemp -d)"
  # Only the language host's folder (its test data left out); a full checkout of a snapshot may lack test blobs.
  # (git may still print "invalid object ... testdata/..." for a blob outside the folder; the archive is complete.)
  git --git-dir="$src" archive "$PULUMI_VERSION" -- "$folder" ":(exclude)$folder/testdata" | tar -x -C "$dir" \
    || { rm -rf "$dir"; die 5 "git archive of $folder at $PULUMI_VERSION failed"; }
  # The pkg/sdk replaces point into the rest of the repository: use the served modules of the CLI's own version
  # instead; the clipboard replace stays (the CLI wrapper in servers/pulumi has it too).
  ( cd "$dir/$folder" \
    && goenv go mod edit -dropreplace=github.com/pulumi/pulumi/pkg/v3 -dropreplace=github.com/pulumi/pulumi/sdk/v3 \
         -require="github.com/pulumi/pulumi/pkg/v3@$PULUMI_VERSION" -require="github.com/pulumi/pulumi/sdk/v3@$PULUMI_VERSION" \
    && GOFLAGS=-mod=mod goenv go mod tidy \
    && goenv go build -trimpath \
         -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" -o "$1" . ) >&2 \
    || { rm -rf "$dir"; return 1; }
  rm -rf "$dir"
}

build() {
  local name="$1" dest dir tmp start rc=0 lockfd
  describe "$name"
  dest="$(cache_path "$name")"; dir="$(dirname "$dest")"
  mkdir -p "$dir"
  command -v go >/dev/null || die 4 "go is not installed; cannot build $name"
  if command -v flock >/dev/null; then exec {lockfd}>"$dir/.$name.lock"; flock "$lockfd"; fi
  if [[ -x "$dest" ]]; then return 0; fi
  local minutes="10-25"
  if [[ "$name" == pulumi-language-nodejs ]]; then
    # Said plainly before anything is built: the language host is optional and needs a source snapshot.
    [[ -n "${AGENT_TRUST_PULUMI_SRC:-}" ]] || die 3 "pulumi-language-nodejs is not installed and AGENT_TRUST_PULUMI_SRC is not set (a git directory of github.com/pulumi/pulumi with tag $PULUMI_VERSION); without it the plain pulumi CLI cannot run this Node.js project (the sandbox's engine runs it inline and does not need it)"
    minutes="1 (with the CLI's build cache warm; 10+ cold)"
  fi
  log "building $name $VERSION (first run takes $minutes minutes on 2 cores)…"
  tmp="$(mktemp "$dir/.$name.tmp.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -f '$tmp'" EXIT INT TERM
  start=$SECONDS
  case "$name" in
    pulumi) build_pulumi "$tmp" || rc=$? ;;
    pulumi-resource-kubernetes) build_kubernetes "$tmp" || rc=$? ;;
    pulumi-resource-vault) build_vault "$tmp" || rc=$? ;;
    pulumi-language-nodejs) build_language_nodejs "$tmp" || rc=$? ;;
  esac
  if [[ $rc -ne 0 ]]; then rm -f "$tmp"; die 5 "building $name failed (exit $rc)"; fi
  chmod 0755 "$tmp"
  "$tmp" version >/dev/null 2>&1 || [[ "$name" != pulumi ]] || { rm -f "$tmp"; die 5 "built $name does not run"; }
  mv -f "$tmp" "$dest"
  trap - EXIT INT TERM
  log "built $name $VERSION in $((SECONDS - start))s -> $dest"
  if [[ -n "${lockfd:-}" ]]; then exec {lockfd}>&-; fi
}

cmd="${1:-}"; shift || true
case "$cmd" in
  path)
    [[ $# -eq 1 ]] || die 2 "usage: $0 path NAME"
    rc=0; lookup "$1" || rc=$?
    [[ $rc -eq 0 ]] || { [[ $rc -eq 4 ]] || log "$1 not found (\$$ENVVAR, plugin cache, PATH or $(cache_path "$1")); run: $0 ensure $1"; exit 3; } ;;
  ensure)
    if [[ $# -eq 0 ]]; then
      set -- pulumi pulumi-resource-kubernetes
      [[ -z "${AGENT_TRUST_PULUMI_VAULT_SRC:-}" ]] || set -- "$@" pulumi-resource-vault
      [[ -z "${AGENT_TRUST_PULUMI_SRC:-}" ]] || set -- "$@" pulumi-language-nodejs
    fi
    for n in "$@"; do describe "$n"; done
    for n in "$@"; do
      rc=0; p="$(lookup "$n")" || rc=$?
      if [[ $rc -eq 4 ]]; then exit 3; fi
      if [[ $rc -ne 0 ]]; then build "$n"; p="$(lookup "$n")"; fi
      printf '%s=%s\n' "$n" "$p"
    done ;;
  versions)
    for n in "${ALL_NAMES[@]}"; do describe "$n"; printf '%s %s %s\n' "$n" "$VERSION" "$(cache_path "$n")"; done ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    [[ -z "$cmd" || "$cmd" == -h || "$cmd" == --help || "$cmd" == help ]] && exit 0
    exit 2 ;;
esac
