/**
 * The measured HTTP scenarios against a running product: each one prepares
 * its signed-in users and request pool, then runs the load for a fixed time
 * while the product's RSS and CPU time are sampled.
 */
import type { DatabaseHandle } from "../src/db/client.js";
import {
  createSubmitters,
  loadPendingDecisions,
  operatorProfile,
  insertSessions,
  reviewerProfile,
  sessionHeaders,
  submitRequest,
  type EditorialCabinet,
  type PendingDecision,
  type SignedIn,
} from "./fixtures.js";
import { startDatabaseCpuMeter } from "./database-cpu.js";
import { runLoad, type LoadRequest, type LoadResult } from "./load.js";
import { readCpuSeconds, type ProductProcess } from "./server.js";

export interface ScenarioResult extends LoadResult {
  name: string;
  /** Peak RSS of the product during the run, MB. */
  peakRssMb: number;
  /** CPU time of the product process per successful request, ms. */
  cpuMsPerRequest: number;
  /** CPU time of the PostgreSQL backends per successful request, ms (PostgreSQL only). */
  databaseCpuMsPerRequest: number | null;
  /** CPU time of the load generator (this process) per request, ms. */
  clientCpuMsPerRequest: number;
  /** Mail in the outbox when the run started, still to be sent by the worker. */
  pendingMailBefore?: number;
}

export interface ScenarioSettings {
  handle: DatabaseHandle;
  product: ProductProcess;
  cabinets: EditorialCabinet[];
  connections: number;
  /** Seconds per measured run. */
  duration: number;
  /** The PostgreSQL database, whose backends' CPU time is metered; unset for PGlite. */
  databaseUrl?: string;
  log: (message: string) => void;
}

/** A named request stream, ready to run against any product process. */
export interface Plan {
  name: string;
  request: (index: number) => LoadRequest;
  /** Requests before the stream would repeat one; unset means unlimited. */
  available?: number;
}

/** Runs one plan with RSS and CPU accounting. */
export async function measure(
  settings: ScenarioSettings,
  plan: Plan,
  options: { connections?: number; duration?: number; rate?: number } = {},
): Promise<ScenarioResult> {
  const { product } = settings;
  product.resetPeak();
  const meter = settings.databaseUrl
    ? await startDatabaseCpuMeter(settings.databaseUrl)
    : null;
  const clientBefore = process.cpuUsage();
  const cpuBefore = readCpuSeconds(product.pid) ?? 0;
  const result = await runLoad({
    url: product.url,
    connections: options.connections ?? settings.connections,
    duration: options.duration ?? settings.duration,
    request: plan.request,
    available: plan.available,
    rate: options.rate,
  });
  const cpuSeconds = (readCpuSeconds(product.pid) ?? 0) - cpuBefore;
  const client = process.cpuUsage(clientBefore);
  const databaseSeconds = meter ? await meter.stop() : null;
  const successful = result.requests - result.non2xx;
  const perRequest = (seconds: number) =>
    successful > 0 ? (1000 * seconds) / successful : NaN;
  const scenario: ScenarioResult = {
    ...result,
    name: plan.name,
    peakRssMb: product.peakRssKb() / 1024,
    cpuMsPerRequest: perRequest(cpuSeconds),
    databaseCpuMsPerRequest:
      databaseSeconds === null ? null : perRequest(databaseSeconds),
    clientCpuMsPerRequest: perRequest((client.user + client.system) / 1e6),
  };
  settings.log(
    `${plan.name} (${scenario.connections} conn.${scenario.rate ? `, ${scenario.rate} req/s sent` : ""}): ${scenario.rps.toFixed(0)} req/s, p50 ${scenario.p50} ms, p99 ${scenario.p99} ms, non-2xx ${scenario.non2xx}${scenario.unfinished > 0 ? `, ${scenario.unfinished} unfinished (p99 is a lower bound)` : ""}${scenario.exhausted ? ", request pool used up" : ""}, peak RSS ${scenario.peakRssMb.toFixed(0)} MB, CPU ms/request: product ${scenario.cpuMsPerRequest.toFixed(2)}, database ${scenario.databaseCpuMsPerRequest?.toFixed(2) ?? "-"}, load generator ${scenario.clientCpuMsPerRequest.toFixed(2)}`,
  );
  if (scenario.non2xx > 0) {
    settings.log(`  status codes: ${JSON.stringify(scenario.statusCodes)}`);
  }
  return scenario;
}

/**
 * Submits by new applicants. `count` should exceed the submits the run can
 * make, so that no request repeats an organization.
 */
export async function planSubmit(
  settings: ScenarioSettings,
  name: string,
  count: number,
): Promise<Plan> {
  const submitters = await createSubmitters(
    settings.handle,
    settings.cabinets,
    count,
  );
  return {
    name,
    request: (index) => submitRequest(submitters[index]!),
    available: submitters.length,
  };
}

/** Returns the submitters needed for a run of `duration` seconds at up to three times `expectedRate`. */
export function submitPoolSize(expectedRate: number, duration: number) {
  return Math.ceil(Math.max(expectedRate, 50) * duration * 3) + 500;
}

/** Follows the queue's `nextCursor` until `depth` items are behind it. */
async function cursorAt(
  url: string,
  user: SignedIn,
  depth: number,
): Promise<string> {
  let cursor: string | null = null;
  for (let seen = 0; seen < depth; seen += 100) {
    const query = new URLSearchParams({ status: "submitted", limit: "100" });
    if (cursor) query.set("cursor", cursor);
    const response = await fetch(`${url}/api/review/queue?${query}`, {
      headers: sessionHeaders(user),
    });
    if (response.status !== 200) {
      throw new Error(
        `GET /api/review/queue returned ${response.status}: ${await response.text()}`,
      );
    }
    const page = (await response.json()) as { nextCursor: string | null };
    if (!page.nextCursor) {
      throw new Error(
        `the queue has fewer than ${depth} submitted applications`,
      );
    }
    cursor = page.nextCursor;
  }
  return cursor!;
}

export interface QueueDepths {
  reviewer: number;
  operator: number;
}

/**
 * Plans the review queue of the busiest editorial cabinet's reviewer and of
 * a platform operator of every region: the first page, a deep page and a name
 * search, 25 items a page (the default).
 */
export async function planQueue(
  settings: ScenarioSettings,
  depths: QueueDepths,
): Promise<Plan[]> {
  const [reviewer, operator] = await insertSessions(settings.handle, "review", [
    reviewerProfile(1),
    operatorProfile(),
  ]);
  const url = settings.product.url;
  const reviewerCursor = await cursorAt(url, reviewer!, depths.reviewer);
  const operatorCursor = await cursorAt(url, operator!, depths.operator);
  const page =
    (user: SignedIn, query: Record<string, string>) => (): LoadRequest => ({
      method: "GET",
      path: `/api/review/queue?${new URLSearchParams({ status: "submitted", ...query })}`,
      headers: sessionHeaders(user),
    });
  // A common word (a tenth of the names), a name, a name prefix and an
  // ОГРН prefix, as a reviewer would type them.
  const searches = ["Музей", "Школа № 2001", "дом культуры № 1", "1027700012"];
  const search =
    (user: SignedIn) =>
    (index: number): LoadRequest => ({
      method: "GET",
      path: `/api/review/queue?${new URLSearchParams({ status: "submitted", q: searches[index % searches.length]! })}`,
      headers: sessionHeaders(user),
    });
  return [
    { name: "queue, first page (reviewer)", request: page(reviewer!, {}) },
    {
      name: `queue, page after ${depths.reviewer} (reviewer)`,
      request: page(reviewer!, { cursor: reviewerCursor }),
    },
    { name: "queue, name search (reviewer)", request: search(reviewer!) },
    { name: "queue, first page (operator)", request: page(operator!, {}) },
    {
      name: `queue, page after ${depths.operator} (operator)`,
      request: page(operator!, { cursor: operatorCursor }),
    },
    { name: "queue, name search (operator)", request: search(operator!) },
  ];
}

/** Plans the form's editorial-cabinet selector: by region and type, with and without text. */
export async function planEditorialSearch(
  settings: ScenarioSettings,
): Promise<Plan> {
  const applicants = await createSubmitters(
    settings.handle,
    settings.cabinets,
    200,
  );
  const regions = [...new Set(settings.cabinets.map((c) => c.regionCode))];
  const texts = ["", "КР", "РОИВ № 1", "№ 5", "омсу № 12"];
  return {
    name: "editorial-cabinet search",
    request: (index) => {
      const applicant = applicants[index % applicants.length]!;
      const query = new URLSearchParams({
        organizationOid: applicant.profile.organizations[0]!.oid,
        region: regions[index % regions.length]!,
        type: index % 2 === 0 ? "roiv_subordinate" : "omsu_subordinate",
        q: texts[index % texts.length]!,
      });
      return {
        method: "GET",
        path: `/api/editorial-cabinets?${query}`,
        headers: sessionHeaders(applicant),
      };
    },
  };
}

/**
 * Approvals and rejections of the submitted applications of editorial
 * cabinets 1..`cabinetCount` (the busiest), each by a reviewer of the cabinet
 * the application is addressed to. The two plans use disjoint halves of the
 * pool, interleaved so that both spread over the same cabinets.
 */
export async function planDecisions(
  settings: ScenarioSettings,
  cabinetCount: number,
): Promise<Plan[]> {
  const pending = await loadPendingDecisions(settings.handle, cabinetCount);
  const reviewers = await insertSessions(
    settings.handle,
    "reviewer",
    Array.from({ length: cabinetCount }, (_, index) =>
      reviewerProfile(index + 1),
    ),
  );
  const approvals = pending.filter((_, index) => index % 2 === 0);
  const rejections = pending.filter((_, index) => index % 2 === 1);
  const decide =
    (pool: PendingDecision[], action: "approve" | "reject") =>
    (index: number): LoadRequest => {
      const item = pool[index]!;
      const reviewer = reviewers[item.cabinet - 1]!;
      return {
        method: "POST",
        path: `/api/review/applications/${item.applicationId}/${action}`,
        headers: sessionHeaders(reviewer, true),
        body: JSON.stringify(
          action === "approve"
            ? { revision: item.revision }
            : {
                revision: item.revision,
                reason:
                  "Название кабинета не совпадает с названием организации в ЕСИА: исправьте его",
              },
        ),
      };
    };
  return [
    {
      name: "approve",
      request: decide(approvals, "approve"),
      available: approvals.length,
    },
    {
      name: "reject",
      request: decide(rejections, "reject"),
      available: rejections.length,
    },
  ];
}
