/** The approval proxy, for the CLI and for the sandbox to start in-process. */
export { startApprovalProxy, DEFAULT_MAX_BODY_BYTES, type ApprovalProxyOptions, type RunningProxy } from "./server";
export type { LogSink } from "./context";
export type { Clock } from "./hold";
export type { UpstreamOptions } from "./upstream";
