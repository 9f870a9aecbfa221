/** What every part of a running approval proxy shares: its upstream, its settings, its log and the held requests. */
import type { ScaleBounds } from "../../model/approval";
import type { Clock } from "./hold";
import type { Upstream } from "./upstream";

/** One JSON line per decision point (`event` names it). */
export type LogSink = (entry: Readonly<Record<string, unknown>>) => void;

export interface ProxyContext {
  readonly upstream: Upstream;
  /** The agents namespace: callers are agents of it, reviews live in it. */
  readonly namespace: string;
  readonly holdSeconds: number;
  readonly bounds: ScaleBounds;
  readonly maxBodyBytes: number;
  readonly log: LogSink;
  readonly clock: Clock;
  /** Requests held right now (from the review's creation on): aborted with reason "shutdown" when the proxy stops. */
  readonly held: Set<{ readonly abort: AbortController; readonly done: Promise<void> }>;
  /** Set when the proxy stops: no new request is held any more. */
  readonly state: { stopping: boolean };
}
