/**
 * Moved to src/model/manifest.ts and src/model/vault-kinds.ts. This re-export remains only for the admission
 * files another change is moving (src/plan/admission.ts, src/rules/admission/*); import from src/model instead.
 */
export { type Manifest, type ObjectMeta, VAULT_API_VERSION } from "../model/manifest";
