import autocannon from "autocannon";

/** One HTTP request of a load run. */
export interface LoadRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds. */
  duration: number;
  /** Returns the i-th request (0-based, over all connections). */
  request: (index: number) => LoadRequest;
  /** Requests available before the run would repeat them; the run stops there. */
  available?: number;
}

export interface LoadResult {
  connections: number;
  duration: number;
  requests: number;
  /** Requests with a 2xx status per second. */
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Set when the run stopped because `available` requests were used up. */
  exhausted: boolean;
}

/** Runs autocannon for a fixed time; latency figures are in milliseconds. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    timeout: 30,
    maxOverallRequests: options.available,
    requests: [
      {
        setupRequest: (request) => {
          const planned = options.request(next);
          next += 1;
          return {
            ...request,
            method: planned.method,
            path: planned.path,
            headers: planned.headers,
            body: planned.body,
          };
        },
      },
    ],
  });
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
    statusCodes[code] = stats.count ?? 0;
  }
  const seconds = result.duration;
  return {
    connections: options.connections,
    duration: seconds,
    requests: result.requests.total,
    rps: result["2xx"] / seconds,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    statusCodes,
    exhausted: options.available !== undefined && next >= options.available,
  };
}
