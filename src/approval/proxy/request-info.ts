/**
 * What a Kubernetes API request asks, read from its method, path and query the way the API server reads it: verb
 * (get, list, watch, create, update, patch, delete, deletecollection), API group and version, resource and
 * subresource, namespace and name. Pure. Odd paths (`.` or `..` segments, percent-encoding, empty segments, unknown
 * characters, unknown methods) are refused with a reason, never guessed: the proxy answers them 400.
 */

export interface ResourceRequestInfo {
  readonly kind: "resource";
  readonly verb: string;
  readonly apiGroup: string;
  readonly version: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
}

/** A path that names no resource (`/version`, `/api`, `/apis/apps/v1`, `/openapi/v2`): never approvable. */
export interface NonResourceRequestInfo {
  readonly kind: "nonResource";
  readonly verb: string;
  readonly path: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

export interface Refused {
  readonly kind: "refused";
  readonly reason: string;
}

const METHOD_VERBS: Readonly<Record<string, string>> = {
  GET: "get",
  HEAD: "get",
  POST: "create",
  PUT: "update",
  PATCH: "patch",
  DELETE: "delete",
};

/** Characters a path segment may hold: names, groups, versions, `system:` names. Anything else is refused. */
const SEGMENT = /^[A-Za-z0-9._:@~-]+$/;
/** Subresources of a namespace itself (`/api/v1/namespaces/<ns>/status`), as the API server knows them. */
const NAMESPACE_SUBRESOURCES = new Set(["status", "finalize"]);
/** `strconv.ParseBool` truths, which the API server accepts for `watch`. */
const TRUTHS = new Set(["1", "t", "T", "true", "TRUE", "True"]);

function refuse(reason: string): Refused {
  return { kind: "refused", reason };
}

/** Parses `method` and the raw request target `url` (`/apis/apps/v1/namespaces/x/deployments/y?watch=true`). */
export function parseRequestInfo(method: string, url: string): RequestInfo | Refused {
  const verbOfMethod = METHOD_VERBS[method];
  if (verbOfMethod === undefined) return refuse(`method ${method} is not a Kubernetes API method`);
  const q = url.indexOf("?");
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? "" : url.slice(q + 1));
  if (!path.startsWith("/")) return refuse(`path "${path}" does not start with "/"`);
  if (path === "/") return { kind: "nonResource", verb: verbOfMethod, path };
  const segments = path.slice(1).split("/");
  for (const s of segments) {
    if (s === "") return refuse(`path "${path}" has an empty segment (double or trailing "/")`);
    if (s === "." || s === "..") return refuse(`path "${path}" has a "${s}" segment`);
    if (!SEGMENT.test(s)) return refuse(`path "${path}" has a segment with characters a Kubernetes name never holds`);
  }
  let rest: string[];
  let apiGroup: string;
  let version: string;
  if (segments[0] === "api" && segments.length >= 3) {
    apiGroup = "";
    version = segments[1]!;
    rest = segments.slice(2);
  } else if (segments[0] === "apis" && segments.length >= 4) {
    apiGroup = segments[1]!;
    version = segments[2]!;
    rest = segments.slice(3);
  } else {
    return { kind: "nonResource", verb: verbOfMethod, path };
  }
  let verb = verbOfMethod;
  if (rest[0] === "watch") {
    // The legacy `/api/v1/watch/...` form.
    if (method !== "GET") return refuse(`${method} on a watch path "${path}"`);
    verb = "watch";
    rest = rest.slice(1);
    if (rest.length === 0) return refuse(`watch path "${path}" names no resource`);
  }
  let namespace = "";
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = rest[1]!;
    if (rest.length > 2 && !NAMESPACE_SUBRESOURCES.has(rest[2]!)) rest = rest.slice(2);
  }
  const [resource = "", name = "", subresource = "", ...extra] = rest;
  if (extra.length > 0 && subresource !== "proxy")
    return refuse(`path "${path}" goes on after the subresource "${subresource}"`);
  if (verb === "get" && name === "") verb = TRUTHS.has(query.get("watch") ?? "") ? "watch" : "list";
  else if (verb === "get" && name !== "" && TRUTHS.has(query.get("watch") ?? "")) verb = "watch";
  if (verb === "delete" && name === "") verb = "deletecollection";
  return { kind: "resource", verb, apiGroup, version, resource, subresource, namespace, name };
}

/** The RBAC resource a request acts on: `deployments`, or with its subresource `deployments/scale`. */
export function rbacResource(info: ResourceRequestInfo): string {
  return info.subresource === "" ? info.resource : `${info.resource}/${info.subresource}`;
}
