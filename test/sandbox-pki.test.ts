import assert from "node:assert/strict";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, test } from "node:test";
import { createPki, type Pki } from "../src/sandbox/servers/pki";
import { tempDir } from "./helpers/tmp";

describe("sandbox certificates (generated at run time)", () => {
  let dir: string;
  let pki: Pki;
  const cert = (f: string) => new crypto.X509Certificate(fs.readFileSync(f));
  before(() => {
    dir = tempDir("sandbox-pki-");
    pki = createPki(path.join(dir, "pki"));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("a CA signs both leaf certificates", () => {
    const ca = cert(pki.caCert);
    assert.equal(ca.ca, true);
    for (const f of [pki.servingCert, pki.adminCert]) {
      const leaf = cert(f);
      assert.equal(leaf.ca, false);
      assert.ok(leaf.checkIssued(ca));
      assert.ok(leaf.verify(ca.publicKey));
    }
  });

  test("the serving certificate is for 127.0.0.1 and localhost, server auth only", () => {
    const serving = cert(pki.servingCert);
    assert.match(serving.subjectAltName ?? "", /IP Address:127\.0\.0\.1/);
    assert.match(serving.subjectAltName ?? "", /DNS:localhost/);
    assert.ok(serving.checkIP("127.0.0.1"));
    assert.deepEqual(serving.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
  });

  test("the admin client certificate is in group system:masters, client auth only", () => {
    const admin = cert(pki.adminCert);
    assert.match(admin.subject, /^O=system:masters$/m);
    assert.deepEqual(admin.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
    assert.equal(admin.subjectAltName, undefined);
  });

  test("each key matches its certificate, and the ServiceAccount key pair signs and verifies", () => {
    for (const [c, k] of [
      [pki.servingCert, pki.servingKey],
      [pki.adminCert, pki.adminKey],
    ] as const) {
      assert.ok(cert(c).checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(k))));
    }
    const data = Buffer.from("token");
    const sig = crypto.sign("sha256", data, crypto.createPrivateKey(fs.readFileSync(pki.saPrivateKey)));
    assert.ok(crypto.verify("sha256", data, crypto.createPublicKey(fs.readFileSync(pki.saPublicKey)), sig));
  });

  test("private keys are readable by the owner only", () => {
    for (const k of [pki.caKey, pki.servingKey, pki.adminKey, pki.saPrivateKey]) {
      assert.equal(fs.statSync(k).mode & 0o077, 0, k);
    }
  });

  test("two runs never share a key", () => {
    const other = createPki(path.join(dir, "other"));
    assert.notEqual(fs.readFileSync(other.caKey, "utf8"), fs.readFileSync(pki.caKey, "utf8"));
    assert.notEqual(
      cert(other.caCert).serialNumber + cert(other.adminCert).serialNumber,
      cert(pki.caCert).serialNumber + cert(pki.adminCert).serialNumber,
    );
  });
});
