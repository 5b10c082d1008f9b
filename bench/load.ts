import { Agent, request as httpRequest } from "node:http";
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
  /**
   * Requests per second, sent at even intervals however long the responses
   * take (an open loop, see `runAtRate`). Unset means as fast as the product
   * responds over `connections` connections.
   */
  rate?: number;
}

export interface LoadResult {
  connections: number;
  /** The request rate the run was limited to, if any. */
  rate: number | null;
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

/**
 * Runs the load for a fixed time; latency figures are in milliseconds. With
 * `rate` it is `runAtRate`, otherwise autocannon.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  if (options.rate !== undefined) return runAtRate(options, options.rate);
  let next = 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.duration,
    timeout: 30,
    maxOverallRequests: options.available,
    overallRate: options.rate,
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
    rate: options.rate ?? null,
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

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, index))]!;
}

type Outcome = { status: number } | { failure: "timeout" | "error" };

/** Sends one request and resolves when its response has been read. */
function sendRequest(
  agent: Agent,
  target: URL,
  planned: LoadRequest,
): Promise<Outcome> {
  return new Promise((resolve) => {
    const call = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: planned.method,
        path: planned.path,
        headers: planned.headers,
        timeout: 30_000,
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve({ status: response.statusCode ?? 0 }));
      },
    );
    call.on("timeout", () => {
      resolve({ failure: "timeout" });
      call.destroy();
    });
    call.on("error", () => resolve({ failure: "error" }));
    call.end(planned.body);
  });
}

/**
 * Sends requests at even intervals of 1/`rate` s for `duration` seconds over
 * keep-alive connections (at most `connections` open, so more requests wait
 * for one). Each is timed from its planned send time, so a slow response
 * also counts against the requests queued behind it. autocannon's own rate
 * limit sends each connection's quota in a burst at the start of every
 * second, which measures the bursts rather than the rate.
 */
export async function runAtRate(
  options: LoadOptions,
  rate: number,
): Promise<LoadResult> {
  const target = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const total = Math.min(
    Math.round(rate * options.duration),
    options.available ?? Infinity,
  );
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let errors = 0;
  let timeouts = 0;
  const record = (outcome: Outcome, plannedAt: number) => {
    if ("failure" in outcome) {
      if (outcome.failure === "timeout") timeouts += 1;
      else errors += 1;
      return;
    }
    const code = String(outcome.status);
    statusCodes[code] = (statusCodes[code] ?? 0) + 1;
    latencies.push(performance.now() - plannedAt);
  };

  const started = performance.now();
  const pending: Promise<void>[] = [];
  for (let index = 0; index < total; index += 1) {
    const plannedAt = started + (index * 1000) / rate;
    const wait = plannedAt - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const outcome = sendRequest(agent, target, options.request(index));
    pending.push(outcome.then((result) => record(result, plannedAt)));
  }
  await Promise.all(pending);
  agent.destroy();

  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const successful = Object.entries(statusCodes)
    .filter(([code]) => code.startsWith("2"))
    .reduce((sum, [, count]) => sum + count, 0);
  return {
    connections: options.connections,
    rate,
    duration: seconds,
    requests: latencies.length,
    rps: successful / seconds,
    p50: Math.round(percentile(latencies, 0.5)),
    p90: Math.round(percentile(latencies, 0.9)),
    p99: Math.round(percentile(latencies, 0.99)),
    max: Math.round(latencies.at(-1) ?? 0),
    non2xx: latencies.length - successful,
    errors,
    timeouts,
    statusCodes,
    exhausted: options.available !== undefined && total >= options.available,
  };
}
