import * as fs from "node:fs";
import { startSandbox } from "./src/sandbox/sandbox";
import { deployKubernetes } from "./src/sandbox/deploy-kube";
import { kubeRequest, kubeOk } from "./src/sandbox/kube";
async function main() {
  const sb = await startSandbox({ build: false, log: (l) => process.stderr.write(l + "\n") });
  try {
    await deployKubernetes(sb.kc, sb.env, 600);
    const vaps = await kubeOk(sb.kc, "GET", "/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies");
    for (const v of vaps["items"] as any[]) console.log(v.metadata.name, JSON.stringify(v.status ?? {}).slice(0, 600));
    await new Promise((r) => setTimeout(r, 2000));
    const rb = await kubeRequest(sb.kc, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/checkout/rolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: { name: "hand-made" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [{ kind: "ServiceAccount", name: "diagnostic-shadow", namespace: "ai-agents" }],
    });
    console.log("admin rb", rb.status, rb.body["message"]);
    fs.writeFileSync("/tmp/adm/kubeconfig", fs.readFileSync(sb.kubeconfig));
    if (process.env.HOLD) await new Promise((r) => setTimeout(r, Number(process.env.HOLD) * 1000));
  } finally {
    await sb.stop();
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
