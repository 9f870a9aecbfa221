#!/usr/bin/env bash
# Real test-server binaries for the integration tests: etcd, kube-apiserver and a
# Vault-compatible server (OpenBao `bao`, exposed under the name `vault`), and cyclonus, the offline
# NetworkPolicy engine that judges the network layer.
#
# They are built from source with the ordinary `go` command, through the wrapper modules in
# servers/{etcd,kube,vault,cyclonus} (see the go.mod files there for why wrappers are needed), into a
# per-version cache, and never downloaded prebuilt.
#
# Usage:
#   scripts/servers.sh path NAME          print the absolute path of a usable binary (exit 3 if none; never builds)
#   scripts/servers.sh ensure [NAME...]   same lookup, build into the cache when missing; prints NAME=/abs/path lines
#   scripts/servers.sh versions           print "NAME VERSION FLAVOR CACHE_PATH" for each server
#   scripts/servers.sh smoke [NAME...]    start each (cached/found) binary on 127.0.0.1 and health-check it
# NAME is one of: etcd kube-apiserver vault promtool cyclonus actionlint (default for ensure/smoke: all of them).
# promtool is no server: it checks and unit-tests the rendered Prometheus rules (servers/promtool); cyclonus is the
# offline NetworkPolicy engine that judges the network layer of the verification matrix (servers/cyclonus);
# actionlint lints .github/workflows in the integration tests (servers/actionlint).
#
# Lookup order for each NAME:
#   1. explicit env var: ETCD_BIN, KUBE_APISERVER_BIN, VAULT_BIN, PROMTOOL_BIN, CYCLONUS_BIN, ACTIONLINT_BIN
#   2. $KUBEBUILDER_ASSETS/NAME (etcd and kube-apiserver only)
#   3. PATH: etcd, kube-apiserver, bao or vault, promtool, cyclonus, actionlint
#   4. cache: ${AGENT_TRUST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-trust}/bin/<version>/NAME
#      (<version>: v1.36.3 for kube-apiserver, v3.6.16 for etcd, openbao-v2.4.0 for vault,
#       prometheus-v0.316.0 for promtool, cyclonus-v0.5.6 for cyclonus, actionlint-v1.7.12 for actionlint)
# Set AGENT_TRUST_SERVERS_NO_PATH=1 to skip step 3 (e.g. to ignore an old distro etcd).
#
# Build environment: GOTOOLCHAIN=local (no toolchain downloads), CGO_ENABLED=0 (static binaries,
# no C compiler needed), -trimpath, -ldflags "-s -w -X <version vars>", -mod=readonly.
# Cold build times on 2 cores (module download + compile): see servers/README.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVERS="$ROOT/servers"
CACHE="${AGENT_TRUST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-trust}"
ALL_NAMES=(etcd kube-apiserver vault)
ALL_NAMES+=(promtool) # issue 12: Prometheus rule checker/unit tester (servers/promtool)
ALL_NAMES+=(cyclonus) # issue 13: offline NetworkPolicy engine (servers/cyclonus)
ALL_NAMES+=(actionlint) # issue 18: GitHub Actions workflow linter (servers/actionlint)

log() { printf '%s\n' "servers.sh: $*" >&2; }
die() { local code="$1"; shift; log "$*"; exit "$code"; }

# modver DIR MODULE: the required version of MODULE in DIR/go.mod (no go command needed).
modver() {
  awk -v m="$2" '
    $1 == "require" && $2 == m { print $3; exit }
    $1 == "require" && $2 == "(" { inreq = 1; next }
    inreq && $1 == ")" { inreq = 0; next }
    inreq && $1 == m { print $2; exit }
  ' "$1/go.mod"
}

# Per-server facts. Sets: MODDIR PKG VERSION KEY FLAVOR LDFLAGS BUILDTAGS ENVVAR PATHNAMES MINUTES
describe() {
  BUILDTAGS=""
  case "$1" in
    kube-apiserver)
      MODDIR="$SERVERS/kube"; PKG=k8s.io/kubernetes/cmd/kube-apiserver
      VERSION="$(modver "$MODDIR" k8s.io/kubernetes)"; KEY="$VERSION"; FLAVOR=kubernetes
      local major minor; major="${VERSION#v}"; major="${major%%.*}"
      minor="${VERSION#v*.}"; minor="${minor%%.*}"
      LDFLAGS="-s -w"
      local p
      for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
        LDFLAGS+=" -X $p.gitVersion=$VERSION -X $p.gitMajor=$major -X $p.gitMinor=$minor"
        LDFLAGS+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
      done
      ENVVAR=KUBE_APISERVER_BIN; PATHNAMES=(kube-apiserver); MINUTES=6 ;;
    etcd)
      MODDIR="$SERVERS/etcd"; PKG=go.etcd.io/etcd/server/v3
      VERSION="$(modver "$MODDIR" go.etcd.io/etcd/server/v3)"; KEY="$VERSION"; FLAVOR=etcd
      # version.Version is a constant of the etcd api module; GitSHA is the settable variable.
      LDFLAGS="-s -w -X go.etcd.io/etcd/api/v3/version.GitSHA=$VERSION"
      ENVVAR=ETCD_BIN; PATHNAMES=(etcd); MINUTES=1 ;;
    vault)
      MODDIR="$SERVERS/vault"; PKG=github.com/openbao/openbao
      local pseudo; pseudo="$(modver "$MODDIR" github.com/openbao/openbao)"
      # github.com/openbao/openbao has no /v2 suffix, so only pseudo-versions exist; map the
      # commit of each release tag we use to its release number.
      case "$pseudo" in
        *-f9407a27fbee) VERSION=v2.4.0 ;;
        *) VERSION="$pseudo" ;;
      esac
      KEY="openbao-$VERSION"; FLAVOR=openbao
      LDFLAGS="-s -w -X github.com/openbao/openbao/version.fullVersion=${VERSION#v}"
      LDFLAGS+=" -X github.com/openbao/openbao/version.GitCommit=${pseudo##*-}"
      LDFLAGS+=" -X github.com/openbao/openbao/version.BuildDate=1970-01-01T00:00:00Z"
      ENVVAR=VAULT_BIN; PATHNAMES=(bao vault); MINUTES=6 ;;
    promtool)
      # Not a server: the Prometheus rule checker used by `npm run test:integration` (test/integration/observability-promtool.test.ts).
      MODDIR="$SERVERS/promtool"; PKG=github.com/prometheus/prometheus/cmd/promtool
      local modv; modv="$(modver "$MODDIR" github.com/prometheus/prometheus)"
      # Module v0.MMM.P is Prometheus release v3.(MMM-300).P (v0.316.0 = v3.16.0).
      local mm="${modv#v0.}"; mm="${mm%%.*}"
      VERSION="v3.$((10#$mm - 300)).${modv##*.}"; KEY="prometheus-$modv"; FLAVOR=prometheus
      LDFLAGS="-s -w -X github.com/prometheus/common/version.Version=${VERSION#v}"
      LDFLAGS+=" -X github.com/prometheus/common/version.Revision=$modv"
      LDFLAGS+=" -X github.com/prometheus/common/version.Branch=release"
      LDFLAGS+=" -X github.com/prometheus/common/version.BuildDate=19700101-00:00:00"
      # Rule checks need no service discovery: leave out every cloud SD plugin (~250 fewer packages to compile).
      BUILDTAGS=remove_all_sd
      ENVVAR=PROMTOOL_BIN; PATHNAMES=(promtool); MINUTES=5 ;;
    cyclonus)
      # Offline NetworkPolicy engine (`cyclonus analyze --mode query-traffic`) that judges the
      # network layer of the verification matrix; no cluster or CNI needed.
      MODDIR="$SERVERS/cyclonus"; PKG=github.com/mattfenwick/cyclonus/cmd/cyclonus
      VERSION="$(modver "$MODDIR" github.com/mattfenwick/cyclonus)"; KEY="cyclonus-$VERSION"; FLAVOR=cyclonus
      LDFLAGS="-s -w -X github.com/mattfenwick/cyclonus/pkg/cli.version=$VERSION"
      LDFLAGS+=" -X github.com/mattfenwick/cyclonus/pkg/cli.gitSHA=$VERSION"
      LDFLAGS+=" -X github.com/mattfenwick/cyclonus/pkg/cli.buildTime=1970-01-01T00:00:00Z"
      ENVVAR=CYCLONUS_BIN; PATHNAMES=(cyclonus); MINUTES=2 ;;
    actionlint)
      # Not a server: the workflow linter (`actionlint` over .github/workflows) of the integration tests.
      MODDIR="$SERVERS/actionlint"; PKG=github.com/rhysd/actionlint/cmd/actionlint
      VERSION="$(modver "$MODDIR" github.com/rhysd/actionlint)"; KEY="actionlint-$VERSION"; FLAVOR=actionlint
      LDFLAGS="-s -w -X github.com/rhysd/actionlint.version=$VERSION"
      ENVVAR=ACTIONLINT_BIN; PATHNAMES=(actionlint); MINUTES=1 ;;
    *) die 2 "unknown server '$1' (expected one of: ${ALL_NAMES[*]})" ;;
  esac
  [[ -n "$VERSION" ]] || die 2 "cannot read the $1 version from $MODDIR/go.mod"
}

cache_path() { printf '%s/bin/%s/%s\n' "$CACHE" "$KEY" "$1"; }

abspath() { local d; d="$(cd "$(dirname "$1")" && pwd)"; printf '%s/%s\n' "$d" "$(basename "$1")"; }

# lookup NAME: print the absolute path of a usable binary, or return 3.
lookup() {
  local name="$1" cand n
  describe "$name"
  cand="${!ENVVAR:-}"
  if [[ -n "$cand" ]]; then
    [[ -x "$cand" && -f "$cand" ]] || { log "$ENVVAR=$cand is not an executable file"; return 4; }
    abspath "$cand"; return 0
  fi
  if [[ ( "$name" == etcd || "$name" == kube-apiserver ) && -n "${KUBEBUILDER_ASSETS:-}" && -x "$KUBEBUILDER_ASSETS/$name" ]]; then
    abspath "$KUBEBUILDER_ASSETS/$name"; return 0
  fi
  if [[ -z "${AGENT_TRUST_SERVERS_NO_PATH:-}" ]]; then
    for n in "${PATHNAMES[@]}"; do
      if cand="$(command -v "$n" 2>/dev/null)" && [[ -x "$cand" ]]; then
        abspath "$cand"; return 0
      fi
    done
  fi
  cand="$(cache_path "$name")"
  if [[ -x "$cand" ]]; then printf '%s\n' "$cand"; return 0; fi
  return 3
}

build() {
  local name="$1" dest dir tmp start rc lockfd
  describe "$name"
  dest="$(cache_path "$name")"; dir="$(dirname "$dest")"
  mkdir -p "$dir"
  command -v go >/dev/null || die 4 "go is not installed; cannot build $name"
  # Serialise concurrent builds of the same binary (e.g. parallel CI jobs).
  if command -v flock >/dev/null; then
    exec {lockfd}>"$dir/.$name.lock"
    flock "$lockfd"
  fi
  if [[ -x "$dest" ]]; then return 0; fi
  log "building $name $VERSION ($FLAVOR) from $MODDIR (first run takes ~$MINUTES minutes on 2 cores)…"
  tmp="$(mktemp "$dir/.$name.tmp.XXXXXX")"
  # shellcheck disable=SC2064
  trap "rm -f '$tmp'" EXIT INT TERM
  start=$SECONDS
  rc=0
  (
    cd "$MODDIR"
    GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=readonly -buildvcs=false" \
      go build -trimpath ${BUILDTAGS:+-tags "$BUILDTAGS"} -ldflags "$LDFLAGS" -o "$tmp" "$PKG"
  ) >&2 || rc=$?
  if [[ $rc -ne 0 ]]; then rm -f "$tmp"; die 5 "building $name failed (exit $rc)"; fi
  chmod 0755 "$tmp"
  "$tmp" --version >/dev/null 2>&1 || "$tmp" version >/dev/null 2>&1 \
    || { rm -f "$tmp"; die 5 "built $name does not run"; }
  mv -f "$tmp" "$dest"
  trap - EXIT INT TERM
  log "built $name $VERSION in $((SECONDS - start))s -> $dest"
  if [[ -n "${lockfd:-}" ]]; then exec {lockfd}>&-; fi
}

free_port() {
  local p i
  for i in $(seq 1 50); do
    p=$((20000 + RANDOM % 20000))
    if command -v ss >/dev/null; then
      ss -Hltn "sport = :$p" 2>/dev/null | grep -q . && continue
    fi
    printf '%s\n' "$p"; return 0
  done
  die 6 "no free port found"
}

wait_http() { # URL SECONDS
  local i
  for i in $(seq 1 $(($2 * 5))); do
    if curl -fsS --max-time 2 "$1" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}

smoke_one() {
  local name="$1" bin tmpd pid port ok=0
  bin="$(lookup "$name")" || die 3 "$name not found (run: scripts/servers.sh ensure $name)"
  tmpd="$(mktemp -d)"
  case "$name" in
    etcd)
      port="$(free_port)"
      "$bin" --data-dir "$tmpd/data" --name smoke \
        --listen-client-urls "http://127.0.0.1:$port" --advertise-client-urls "http://127.0.0.1:$port" \
        --listen-peer-urls "http://127.0.0.1:$((port + 1))" \
        --initial-advertise-peer-urls "http://127.0.0.1:$((port + 1))" \
        --initial-cluster "smoke=http://127.0.0.1:$((port + 1))" >"$tmpd/log" 2>&1 &
      pid=$!
      if wait_http "http://127.0.0.1:$port/health" 30; then
        log "etcd ok: $(curl -fsS "http://127.0.0.1:$port/health")"; ok=1
      fi
      kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true ;;
    kube-apiserver)
      if out="$("$bin" --version 2>&1)"; then log "kube-apiserver ok: $out"; ok=1; fi ;;
    promtool)
      if out="$("$bin" --version 2>&1 | head -1)"; then log "promtool ok: $out"; ok=1; fi ;;
    actionlint)
      if out="$("$bin" -version 2>&1 | head -1)"; then log "actionlint ok: $out"; ok=1; fi ;;
    cyclonus)
      if out="$("$bin" version 2>&1)"; then log "cyclonus ok: $(printf '%s' "$out" | tr -d '\n')"; ok=1; fi ;;
    vault)
      port="$(free_port)"
      "$bin" server -dev -dev-listen-address="127.0.0.1:$port" -dev-root-token-id=smoke-root \
        -dev-no-store-token >"$tmpd/log" 2>&1 &
      pid=$!
      if wait_http "http://127.0.0.1:$port/v1/sys/health" 30; then
        log "vault ok: $(curl -fsS "http://127.0.0.1:$port/v1/sys/health")"; ok=1
      fi
      kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true ;;
  esac
  if [[ $ok -ne 1 ]]; then
    [[ -f "$tmpd/log" ]] && tail -20 "$tmpd/log" >&2
    rm -rf "$tmpd"; die 7 "$name smoke test failed ($bin)"
  fi
  rm -rf "$tmpd"
}

# --- Pulumi engine (issue 11): pulumi, pulumi-resource-kubernetes, pulumi-resource-vault are handled by
# scripts/engine.sh (same commands; `ensure` with no NAME builds only the three servers).
case "${1:-}" in
  path|ensure)
    if [[ $# -ge 2 && "$2" == pulumi* ]]; then exec "$ROOT/scripts/engine.sh" "$@"; fi ;;
esac
# --- end Pulumi engine

cmd="${1:-}"; shift || true
case "$cmd" in
  path)
    [[ $# -eq 1 ]] || die 2 "usage: $0 path NAME"
    rc=0; lookup "$1" || rc=$?
    [[ $rc -ne 4 ]] || exit 3
    [[ $rc -eq 0 ]] || { describe "$1"; log "$1 not found (env $ENVVAR, PATH, or $(cache_path "$1")); run: $0 ensure $1"; exit 3; } ;;
  ensure)
    [[ $# -gt 0 ]] || set -- "${ALL_NAMES[@]}"
    for n in "$@"; do describe "$n"; done
    for n in "$@"; do
      rc=0; p="$(lookup "$n")" || rc=$?
      if [[ $rc -eq 4 ]]; then exit 3; fi
      if [[ $rc -ne 0 ]]; then build "$n"; p="$(lookup "$n")"; fi
      printf '%s=%s\n' "$n" "$p"
    done ;;
  versions)
    for n in "${ALL_NAMES[@]}"; do describe "$n"; printf '%s %s %s %s\n' "$n" "$VERSION" "$FLAVOR" "$(cache_path "$n")"; done ;;
  smoke)
    [[ $# -gt 0 ]] || set -- "${ALL_NAMES[@]}"
    for n in "$@"; do smoke_one "$n"; done ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    [[ -z "$cmd" || "$cmd" == -h || "$cmd" == --help || "$cmd" == help ]] && exit 0
    exit 2 ;;
esac
