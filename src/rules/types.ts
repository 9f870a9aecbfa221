/**
 * The shape of one rule in the rule table. A rule is written once, against the plain document shape of
 * `src/model/manifest.ts` (Kubernetes manifests and `agent-trust.io/v1` Vault documents); the Pulumi policy pack,
 * the offline checker and the admission policies are thin adapters that feed it documents. Pure types.
 */
import type { Environment, Phase } from "../model/phases";
import type { Manifest } from "../model/manifest";

export type Domain = "rbac" | "cluster" | "pods" | "network" | "vault" | "stack" | "admission";

/** Tunables a rule may read. The pack takes them from policy config, the checker from flags and defaults. */
export interface RuleSettings {
  /** Longest Vault token TTL, in seconds (never above the catalog's limit). */
  readonly maxTtlSeconds: number;
  /** Longest Job `activeDeadlineSeconds`. */
  readonly maxJobDeadlineSeconds: number;
  /** Path of the agents' KV v2 mount; Vault policies may only name paths under it. */
  readonly kvMount: string;
  /** The agents namespace. */
  readonly namespace: string;
  /** Largest share (0..1) of the public IPv4 or IPv6 space egress may reach on more than maxBroadEgressPorts ports. */
  readonly maxPublicEgressShare: number;
  /** A destination open on more ports than this (in one protocol) counts as open on all ports. */
  readonly maxBroadEgressPorts: number;
  /** Private IPv4 reachable on all ports may be at most one block of this prefix length. */
  readonly minPrivateEgressPrefixV4: number;
  /** Private IPv6 reachable on all ports may be at most one block of this prefix length. */
  readonly minPrivateEgressPrefixV6: number;
}

export type SettingName = keyof RuleSettings;

/** A foundation stack (the agents namespace and what guards it) or a phase stack (the agents' grants). */
export type Layer = "foundation" | "phase";

/** What a resource rule knows about the object it judges besides the object itself. */
export interface RuleContext extends RuleSettings {
  /** The layer the input belongs to: stack config `agent-trust:layer` or `--layer`; absent means phase (the strictest). */
  readonly layer?: Layer;
  /** The phase the object is judged as: stack config or `--phase` (else strictest), never above its own label. */
  readonly phase: Phase;
  /**
   * The phase of the stack the object is in: stack config or `--phase`, else (opted in) its label, else the
   * strictest. Unlike `phase`, no label lowers it: the closed world asks whether an object belongs to this stack.
   */
  readonly stackPhase: Phase;
  /** The environment the user named (stack config, `--env`, or opted-in labels); undefined when judged as prod by default. */
  readonly stackEnvironment?: Environment;
  /** The environment: stack config or `--env`, else its environment label, else the strictest (prod). */
  readonly environment: Environment;
  /** Given.approvalProxy: false when the stack's foundation is known to run no approval proxy. */
  readonly approvalProxy?: boolean;
}

interface RuleBase {
  /** Kebab-case, unique: the policy name in the pack and the rule name in every report. */
  readonly name: string;
  readonly domain: Domain;
  /** One sentence: what the rule refuses and why. */
  readonly description: string;
  /** How to fix a violation, shown next to every violation. */
  readonly remediationSteps: string;
  /**
   * Security rules are mandatory in every environment. Hygiene rules are mandatory too, except where the pack's
   * policy config (default: dev) lowers them to advisory.
   */
  readonly security: boolean;
  /** A listing for review, never a refusal: reported as advisory in every environment. */
  readonly advisoryOnly?: boolean;
  /** Settings the rule reads; the pack offers exactly these as the policy's config. */
  readonly settings?: readonly SettingName[];
  /**
   * The rule's form inside the API server, where it has one: the foundation installs it as a
   * ValidatingAdmissionPolicy (src/admission/policies.ts), so it holds for `kubectl`, Helm and hand-made changes too.
   */
  readonly admission?: AdmissionForm;
}

/** What the CEL of an admission form may depend on: nothing but the environment's agents namespace. */
export interface AdmissionContext {
  readonly namespace: string;
}

/** One `matchConstraints.resourceRules` entry of a ValidatingAdmissionPolicy. */
export interface AdmissionResourceRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly operations: readonly ("CREATE" | "UPDATE" | "DELETE" | "CONNECT")[];
}

/** One CEL validation: the request is allowed only when `expression` is true; `reason` says what was refused. */
export interface AdmissionValidation {
  readonly expression: string;
  readonly reason: string;
}

/**
 * A rule as a ValidatingAdmissionPolicy. Generated CEL depends only on the agents namespace; every tunable (the
 * phase ceiling, the deployer, scale bounds, the protected label) is read from the foundation's parameter
 * ConfigMap, so a changed ceiling takes effect at once and the policies themselves never drift from the table.
 */
export interface AdmissionForm {
  /** `agents`: only requests from the agents' ServiceAccounts; `everyone`: all requesters (e.g. binding grants). */
  readonly requesters: "agents" | "everyone";
  readonly resourceRules: readonly AdmissionResourceRule[];
  /** Extra match conditions (CEL over the request, no params), e.g. "the binding names an agent". */
  readonly matchConditions?: (
    ctx: AdmissionContext,
  ) => readonly { readonly name: string; readonly expression: string }[];
  /** Whether the validations read the parameter ConfigMap (`params.data`). */
  readonly params: boolean;
  readonly variables?: (ctx: AdmissionContext) => readonly { readonly name: string; readonly expression: string }[];
  readonly validations: (ctx: AdmissionContext) => readonly AdmissionValidation[];
}

/** A rule that exists only inside the API server (the pack and checker see it through its foundation objects). */
export interface AdmissionRule extends RuleBase {
  readonly scope: "admission";
  readonly admission: AdmissionForm;
}

/** Judges one object at a time. */
export interface ResourceRule extends RuleBase {
  readonly scope: "resource";
  /** Kinds it judges; every other kind is passed over. */
  readonly kinds: readonly string[];
  /**
   * Paths the verdict depends on (see `paths.ts`: `a.b`, `[]` for every element, `{pod}`, `{containers}`,
   * `{job}` for the pod spec, containers and job spec of any kind). A value unknown during preview on one of
   * them is a violation: a mandatory rule never passes what it cannot see.
   */
  readonly reads: readonly string[];
  /**
   * The rule reads nothing but the object's pod specs (`podSpecsOf`): an object without one passes it at once,
   * whatever its kind. Checked before `appliesTo`.
   */
  readonly podSpecsOnly?: boolean;
  /** When the rule applies to this object at all (default: always); checked before unknowns are looked for. */
  appliesTo?(obj: Manifest, ctx: RuleContext): boolean;
  /** Violation messages, empty when the object complies. Never throws on a malformed object. */
  validate(obj: Manifest, ctx: RuleContext): string[];
}

/** One finding of a stack rule, optionally pinned to the object at fault. */
export interface StackFinding {
  readonly message: string;
  readonly object?: Manifest;
}

/** What an adapter knows about where its input will be deployed (stack config, or the checker's flags). */
export interface Given {
  readonly phase?: string;
  readonly environment?: string;
  /** The user opted in to judge each object at the phase and environment its labels claim. */
  readonly trustLabels?: boolean;
  /** The stack layer: only a foundation may hold the cluster-scoped kinds the foundation renders. Default phase. */
  readonly layer?: string;
  /**
   * Whether the stack's foundation runs the approval proxy, where its config is known (`check --for-stack`).
   * false: no executor identity may exist in the stack. Undefined (the pack, a plain check): not known.
   */
  readonly approvalProxy?: boolean;
}

/** Judges a whole stack: only the pack and `agent-trust check --stack` run these. */
export interface StackRule extends RuleBase {
  readonly scope: "stack";
  /** Kinds it reads. */
  readonly kinds: readonly string[];
  validate(objects: readonly Manifest[], ctx: RuleSettings, given: Given): StackFinding[];
}

/** The `agent-trust:*` stack config keys the pack can see (values as the engine passes them: strings). */
export interface StackConfigView {
  readonly layer?: string;
  readonly environment?: string;
  readonly phase?: string;
  readonly phaseCeiling?: string;
  /** The agents namespace the stack deploys into (`agent-trust:namespace`). */
  readonly namespace?: string;
}

export type Ceilings = Readonly<Record<Environment, Phase>>;

/** Judges the stack's configuration itself; only the pack sees it, so the checker never runs these. */
export interface ConfigRule extends RuleBase {
  readonly scope: "stack-config";
  validate(config: StackConfigView, ceilings: Ceilings): string[];
}

export type Rule = ResourceRule | StackRule | ConfigRule;

/** A violation as every adapter reports it. */
export interface Violation {
  readonly rule: string;
  readonly enforcement: "mandatory" | "advisory";
  readonly message: string;
  /** The object at fault, when there is one. */
  readonly object?: Manifest;
}
