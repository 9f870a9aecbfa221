/**
 * Certificates for the local cluster, generated at run time and never committed: a CA, the API server's serving
 * certificate (SAN 127.0.0.1 and localhost), an administrator client certificate (group `system:masters`) and the
 * ServiceAccount token signing key pair that TokenRequest needs. X.509 signing uses the `openssl` command (Node's
 * crypto can parse certificates but not issue them); the key pair uses Node's crypto.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export interface Pki {
  readonly dir: string;
  readonly caCert: string;
  readonly caKey: string;
  readonly servingCert: string;
  readonly servingKey: string;
  readonly adminCert: string;
  readonly adminKey: string;
  /** Public half of the ServiceAccount signing key (`--service-account-key-file`). */
  readonly saPublicKey: string;
  /** Private half (`--service-account-signing-key-file`). */
  readonly saPrivateKey: string;
}

/** Short-lived on purpose: a sandbox lives for minutes or, after `sandbox up`, a few days at most. */
const VALID_DAYS = 7;

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === "ENOENT") throw new Error("the openssl command is required to create the sandbox certificates (apt-get install openssl)");
    throw new Error(`openssl ${args[0]} failed: ${err.stderr?.toString().trim() ?? err.message}`);
  }
}

function ecKey(file: string): void {
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  fs.writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
}

/** `subject` in OpenSSL's one-line form, e.g. `/O=system:masters/CN=agent-trust-admin`. */
function issue(dir: string, name: string, subject: string, extensions: string[]): void {
  const key = `${name}.key`;
  ecKey(path.join(dir, key));
  fs.writeFileSync(path.join(dir, `${name}.ext`), extensions.join("\n") + "\n");
  openssl(["req", "-new", "-key", key, "-subj", subject, "-out", `${name}.csr`], dir);
  const serial = `0x${crypto.randomBytes(16).toString("hex")}`;
  openssl(
    ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", serial,
      "-days", String(VALID_DAYS), "-sha256", "-extfile", `${name}.ext`, "-out", `${name}.crt`],
    dir,
  );
  fs.rmSync(path.join(dir, `${name}.csr`));
  fs.rmSync(path.join(dir, `${name}.ext`));
}

/** Creates every certificate and key in `dir` (created with mode 0700 if missing). */
export function createPki(dir: string): Pki {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  ecKey(path.join(dir, "ca.key"));
  openssl(
    ["req", "-x509", "-new", "-key", "ca.key", "-subj", "/CN=agent-trust-sandbox-ca", "-days", String(VALID_DAYS),
      "-sha256", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
      "-out", "ca.crt"],
    dir,
  );
  issue(dir, "serving", "/CN=kube-apiserver", [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=serverAuth",
    "subjectAltName=IP:127.0.0.1,DNS:localhost",
  ]);
  issue(dir, "admin", "/O=system:masters/CN=agent-trust-sandbox-admin", [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    "extendedKeyUsage=clientAuth",
  ]);
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  fs.writeFileSync(path.join(dir, "sa.pub"), publicKey.export({ type: "spki", format: "pem" }));
  fs.writeFileSync(path.join(dir, "sa.key"), privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  const p = (f: string) => path.join(dir, f);
  return {
    dir,
    caCert: p("ca.crt"),
    caKey: p("ca.key"),
    servingCert: p("serving.crt"),
    servingKey: p("serving.key"),
    adminCert: p("admin.crt"),
    adminKey: p("admin.key"),
    saPublicKey: p("sa.pub"),
    saPrivateKey: p("sa.key"),
  };
}
