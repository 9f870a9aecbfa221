#!/usr/bin/env bash
# Writes a kubeconfig whose user is GitHub's own OIDC identity: no cluster credential is stored anywhere.
# Usage: scripts/ci/github-kubeconfig.sh OUT SERVER CA_PEM AUDIENCE
# The cluster trusts https://token.actions.githubusercontent.com for AUDIENCE (structured authentication or
# --oidc-issuer-url), and its RBAC binds the token's subject: `repo:OWNER/REPO:environment:preview-<env>` (pull
# requests, drift) to a read-only ClusterRole, `repo:OWNER/REPO:environment:<env>` to the deployer. Each request runs the exec plugin,
# which asks GitHub for a fresh token (minutes long), so a long `pulumi up` never outlives its credential.
# Needs `permissions: id-token: write` (GitHub then sets ACTIONS_ID_TOKEN_REQUEST_URL/TOKEN for every step).
set -euo pipefail
out=$1 server=$2 ca=$3 audience=$4
[ -n "${ACTIONS_ID_TOKEN_REQUEST_URL:-}" ] || { echo "github-kubeconfig: no ACTIONS_ID_TOKEN_REQUEST_URL (the job needs permissions: id-token: write)" >&2; exit 1; }
umask 077
dir=$(dirname "$out")
mkdir -p "$dir"
cat > "$dir/github-oidc-token" <<'PLUGIN'
#!/usr/bin/env bash
set -euo pipefail
token=$(curl -fsS -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$1" | jq -r .value)
jq -n --arg t "$token" '{apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: {token: $t}}'
PLUGIN
chmod 700 "$dir/github-oidc-token"
cat > "$out" <<YAML
apiVersion: v1
kind: Config
clusters:
  - name: cluster
    cluster:
      server: $server
      certificate-authority-data: $(printf '%s' "$ca" | base64 -w0)
users:
  - name: github-oidc
    user:
      exec:
        apiVersion: client.authentication.k8s.io/v1
        command: $dir/github-oidc-token
        args: ["$audience"]
        interactiveMode: Never
contexts:
  - name: github
    context: { cluster: cluster, user: github-oidc }
current-context: github
YAML
echo "KUBECONFIG=$out"
