/**
 * The sandbox-only stack transform. The sandbox has an API server but no controllers, so the Kubernetes provider
 * must not wait for readiness (nothing reconciles) and must delete with background propagation (the foreground
 * finalizer is only removed by the garbage collector, which does not run). Never part of what users deploy:
 * only src/engine registers it, inside the sandbox's inline program.
 */
import * as pulumi from "@pulumi/pulumi";

export const SANDBOX_ANNOTATIONS: Readonly<Record<string, string>> = {
  "pulumi.com/skipAwait": "true",
  "pulumi.com/deletionPropagationPolicy": "background",
};

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !pulumi.Output.isInstance(v);
}

/**
 * The props with the sandbox annotations merged into `metadata.annotations`, for custom `kubernetes:` resources;
 * undefined for anything else. Throws when the metadata is not a plain object, since an annotation that could not
 * be added would make `destroy` hang.
 */
export function withSandboxAnnotations(
  type: string,
  custom: boolean,
  props: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (!custom || !type.startsWith("kubernetes:") || type.startsWith("kubernetes:index:")) return undefined;
  const metadata = props.metadata ?? {};
  if (!isRecord(metadata)) throw new Error(`sandbox transform: ${type} has metadata that is not a plain object`);
  const annotations = metadata.annotations ?? {};
  if (!isRecord(annotations)) throw new Error(`sandbox transform: ${type} has annotations that are not a plain object`);
  return { ...props, metadata: { ...metadata, annotations: { ...annotations, ...SANDBOX_ANNOTATIONS } } };
}

/** Registers the transform for every resource the program creates after this call. */
export function registerSandboxTransform(): void {
  pulumi.runtime.registerResourceTransform((args) => {
    const props = withSandboxAnnotations(args.type, args.custom, args.props);
    return props ? { props, opts: args.opts } : undefined;
  });
}
