/**
 * The secrets the sandbox writes before it measures: one at every catalog path (a concrete key standing for each
 * `*`), plus one unlisted key per domain that no grant names. Deploy writes them; the Vault half of the matrix reads
 * them back. Pure.
 */
import { allVaultPaths, SECRET_DOMAINS, type SecretDomain } from "../../model/catalog";

/** A concrete secret standing for a catalog path: `datasources/*` → `datasources/sandbox-probe`. */
export interface VaultProbe {
  readonly catalogPath: string;
  /** Relative to the KV mount. */
  readonly secret: string;
  readonly domain: SecretDomain;
}

export function vaultProbes(): VaultProbe[] {
  const concrete = (p: string) => (p.endsWith("/*") ? `${p.slice(0, -1)}sandbox-probe` : p);
  const probes = allVaultPaths().map((p) => ({ catalogPath: p, secret: concrete(p) }));
  // A key no grant names, in every domain: a phase that lists single keys must not see its neighbours.
  for (const d of SECRET_DOMAINS) probes.push({ catalogPath: `${d}/(unlisted key)`, secret: `${d}/sandbox-unlisted` });
  const seen = new Set<string>();
  return probes
    .filter((p) => !seen.has(p.secret) && seen.add(p.secret))
    .map((p) => ({ ...p, domain: p.secret.split("/")[0] as SecretDomain }));
}
