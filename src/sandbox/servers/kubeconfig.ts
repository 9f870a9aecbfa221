/**
 * The administrator kubeconfig of a sandbox cluster, with certificates embedded so the file works from any
 * directory and after the certificate files are gone. Pure: PEM text in, YAML text out.
 */
import { stringify } from "yaml";

export interface KubeconfigInput {
  /** `https://127.0.0.1:<port>` */
  readonly server: string;
  readonly caPem: string;
  readonly clientCertPem: string;
  readonly clientKeyPem: string;
  /** Cluster, user and context name. */
  readonly name?: string;
  /** Default namespace of the context (the agents namespace, so `kubectl get pods` shows investigations). */
  readonly namespace?: string;
}

const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");

export function kubeconfigYaml(input: KubeconfigInput): string {
  const name = input.name ?? "agent-trust-sandbox";
  const user = `${name}-admin`;
  if (!/^https:\/\/[^/]+$/.test(input.server)) throw new Error(`kubeconfig server "${input.server}" must be https://host:port`);
  for (const [what, pem] of [["CA", input.caPem], ["client certificate", input.clientCertPem]] as const) {
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new Error(`kubeconfig ${what} is not a PEM certificate`);
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(input.clientKeyPem)) throw new Error("kubeconfig client key is not a PEM private key");
  return stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name, cluster: { server: input.server, "certificate-authority-data": b64(input.caPem) } }],
      users: [
        {
          name: user,
          user: { "client-certificate-data": b64(input.clientCertPem), "client-key-data": b64(input.clientKeyPem) },
        },
      ],
      contexts: [{ name, context: { cluster: name, user, ...(input.namespace ? { namespace: input.namespace } : {}) } }],
      "current-context": name,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}
