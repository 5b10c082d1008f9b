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
  /**
   * Requests of a fixed-rate run still unanswered when it ended, because the
   * product answered slower than the rate. Their time until the end counts in
   * the percentiles, so those are lower bounds.
   */
  unfinished: number;
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
    unfinished: 0,
  };
}

function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.ceil(fraction * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, index))]!;
}

/** Seconds a fixed-rate run waits for responses after its last request. */
const GRACE_SECONDS = 10;

type Outcome = { status: number } | { failure: "timeout" | "error" };

/** Sends one request; `done` resolves when its response has been read. */
function sendRequest(agent: Agent, target: URL, planned: LoadRequest) {
  let abort = () => {};
  const done = new Promise<Outcome>((resolve) => {
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
    abort = () => call.destroy();
  });
  return { done, abort: () => abort() };
}

/**
 * Sends requests at even intervals of 1/`rate` s for `duration` seconds, at
 * most `connections` at a time over keep-alive connections. A request due
 * while all are busy waits in a queue, and each request is timed from its
 * planned send time, so a slow response also counts against the requests
 * behind it. (autocannon's own rate limit sends each connection's quota in a
 * burst at the start of every second, which measures the bursts rather than
 * the rate.) Requests still unanswered or unsent `GRACE_SECONDS` after the
 * last planned send are abandoned and counted as unfinished.
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
  const waiting: { index: number; plannedAt: number }[] = [];
  const inFlight = new Map<number, () => void>();
  let finished = 0;
  let allDone: () => void = () => {};
  const everyResponse = new Promise<void>((resolve) => (allDone = resolve));

  const startNext = () => {
    while (inFlight.size < options.connections && waiting.length > 0) {
      const { index, plannedAt } = waiting.shift()!;
      const call = sendRequest(agent, target, options.request(index));
      inFlight.set(plannedAt, call.abort);
      void call.done.then((outcome) => {
        if (!inFlight.delete(plannedAt)) return;
        if ("failure" in outcome) {
          if (outcome.failure === "timeout") timeouts += 1;
          else errors += 1;
        } else {
          const code = String(outcome.status);
          statusCodes[code] = (statusCodes[code] ?? 0) + 1;
          latencies.push(performance.now() - plannedAt);
        }
        finished += 1;
        if (finished === total) allDone();
        startNext();
      });
    }
  };

  const started = performance.now();
  for (let index = 0; index < total; index += 1) {
    const plannedAt = started + (index * 1000) / rate;
    const wait = plannedAt - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    waiting.push({ index, plannedAt });
    startNext();
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    everyResponse,
    new Promise((resolve) => {
      timer = setTimeout(resolve, GRACE_SECONDS * 1000);
    }),
  ]);
  clearTimeout(timer);

  const ended = performance.now();
  const abandoned = [
    ...inFlight.keys(),
    ...waiting.map((item) => item.plannedAt),
  ];
  for (const plannedAt of abandoned) latencies.push(ended - plannedAt);
  for (const abort of inFlight.values()) abort();
  inFlight.clear();
  waiting.length = 0;
  agent.destroy();

  const seconds = (ended - started) / 1000;
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
    non2xx: latencies.length - abandoned.length - successful,
    errors,
    timeouts,
    statusCodes,
    exhausted: options.available !== undefined && total >= options.available,
    unfinished: abandoned.length,
  };
}
