/** A minimal client for Vault's (and OpenBao's) HTTP API: JSON in, status and JSON out. */

export interface VaultResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export class VaultHttp {
  constructor(
    readonly addr: string,
    readonly token?: string,
  ) {}

  withToken(token: string): VaultHttp {
    return new VaultHttp(this.addr, token);
  }

  /** `path` is relative to `/v1/`, e.g. `sys/mounts/agent`. Never throws on an HTTP error status. */
  async request(method: string, path: string, body?: unknown): Promise<VaultResponse> {
    const res = await fetch(`${this.addr}/v1/${path.replace(/^\/+/, "")}`, {
      method,
      headers: {
        ...(this.token ? { "X-Vault-Token": this.token } : {}),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { errors: [text] };
    }
    return { status: res.status, body: parsed };
  }

  /** Like request, but throws with Vault's error messages unless the status is 2xx. */
  async ok(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
    const r = await this.request(method, path, body);
    if (r.status < 200 || r.status >= 300) {
      throw new Error(`vault ${method} ${path}: HTTP ${r.status}: ${JSON.stringify(r.body.errors ?? r.body)}`);
    }
    return r.body;
  }
}
