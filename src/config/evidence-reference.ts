/** The stack-config side of evidence: how a phase stack names the evidence file its agent's phase is judged on. */
import { z } from "zod";

/** A relative path inside the project's `evidence/` directory, for example `evidence/prod/diagnostic.yaml`. */
export const evidenceReference = z
  .string()
  .regex(
    /^evidence\/[a-z0-9-]+\/[a-z0-9-]+\.yaml$/,
    "must be the path of an evidence file, evidence/<environment>/<agent>.yaml",
  );
