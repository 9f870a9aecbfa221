/**
 * Command lines of the three servers, as pure functions of ports and file paths so a unit test can pin every
 * security-relevant flag (RBAC only, Pod Security admission, audit, loopback binding) without starting anything.
 */
import type { Pki } from "./pki";

export interface EtcdFlags {
  readonly dataDir: string;
  readonly clientPort: number;
  readonly peerPort: number;
}

export function etcdArgs(f: EtcdFlags): string[] {
  const client = `http://127.0.0.1:${f.clientPort}`;
  const peer = `http://127.0.0.1:${f.peerPort}`;
  return [
    `--name=sandbox`,
    `--data-dir=${f.dataDir}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=sandbox=${peer}`,
    // Test data: no fsync wait and a small backend keep start-up and writes fast.
    `--unsafe-no-fsync=true`,
    `--quota-backend-bytes=${256 * 1024 * 1024}`,
    `--log-level=warn`,
  ];
}

/** The issuer every projected token carries; Kubernetes' conventional in-cluster name. */
export const SERVICE_ACCOUNT_ISSUER = "https://kubernetes.default.svc.cluster.local";

export interface ApiserverFlags {
  readonly port: number;
  readonly etcdUrl: string;
  readonly pki: Pki;
  readonly auditPolicyFile: string;
  readonly auditLogPath: string;
}

/** Admission plugins we rely on; the rest of the default set stays on (ResourceQuota, LimitRanger, …). */
export const ADMISSION_PLUGINS = ["PodSecurity", "ValidatingAdmissionPolicy"] as const;

export function apiserverArgs(f: ApiserverFlags): string[] {
  return [
    `--bind-address=127.0.0.1`,
    `--advertise-address=127.0.0.1`,
    `--secure-port=${f.port}`,
    `--etcd-servers=${f.etcdUrl}`,
    `--tls-cert-file=${f.pki.servingCert}`,
    `--tls-private-key-file=${f.pki.servingKey}`,
    `--client-ca-file=${f.pki.caCert}`,
    `--authorization-mode=RBAC`,
    `--anonymous-auth=false`,
    `--enable-admission-plugins=${ADMISSION_PLUGINS.join(",")}`,
    // No controller creates default ServiceAccounts here, so the plugin would refuse every pod (envtest does the same).
    `--disable-admission-plugins=ServiceAccount`,
    `--allow-privileged=true`,
    `--service-cluster-ip-range=10.0.0.0/24`,
    `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
    `--service-account-key-file=${f.pki.saPublicKey}`,
    `--service-account-signing-key-file=${f.pki.saPrivateKey}`,
    // The API server's own audience only. Vault's audience must NOT be listed here: a TokenRequest without explicit
    // audiences gets all of --api-audiences, so every ordinary API token would also log in to Vault (the sandbox's
    // Vault matrix measures exactly that refusal). TokenRequest and TokenReview accept `vault` when asked for it.
    `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
    `--audit-policy-file=${f.auditPolicyFile}`,
    `--audit-log-path=${f.auditLogPath}`,
    `--audit-log-format=json`,
    `--audit-log-mode=blocking`,
    // Nothing runs the endpoints controller; the default reconciler would only log errors about it.
    `--endpoint-reconciler-type=none`,
    `--v=0`,
  ];
}

export interface VaultFlags {
  readonly port: number;
  readonly rootToken: string;
}

export function vaultArgs(f: VaultFlags): string[] {
  return [
    "server",
    "-dev",
    `-dev-listen-address=127.0.0.1:${f.port}`,
    `-dev-root-token-id=${f.rootToken}`,
    // Never write ~/.vault-token: the sandbox must leave nothing behind.
    "-dev-no-store-token",
  ];
}
