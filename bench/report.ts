/**
 * Writes the figures of a run into docs/benchmarks.md, between the markers
 * `<!-- bench:figures:start -->` and `<!-- bench:figures:end -->`, and the
 * submit latency curve as an SVG next to it. Text outside the markers is
 * left as it is.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Machine } from "./machine.js";
import type { PgliteResults } from "./pglite.js";
import type { PostgresResults } from "./postgres.js";
import type { ScenarioProfile } from "./profiling.js";
import type { BenchSettings } from "./settings.js";
import type { ScenarioResult } from "./scenarios.js";
import { REPOSITORY_ROOT } from "./server.js";
import { latencyCurveSvg } from "./svg.js";
import { TARGETS } from "./targets.js";

export interface BenchResults {
  startedAt: string;
  minutes: number;
  settings: BenchSettings;
  machine: Machine & { loadAverageAfter: number[] };
  postgres: PostgresResults;
  pglite: PgliteResults | null;
}

const START = "<!-- bench:figures:start -->";
const END = "<!-- bench:figures:end -->";
export const SVG_NAME = "benchmarks-submit-latency.svg";

const fixed = (value: number | null | undefined, digits = 0) =>
  value === null || value === undefined || Number.isNaN(value)
    ? "–"
    : value.toFixed(digits);
const thousands = (value: number) => value.toLocaleString("en-US");

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}

export interface TargetRow {
  target: string;
  measured: string;
  met: boolean;
}

export function evaluateTargets(results: BenchResults): TargetRow[] {
  const { postgres, pglite } = results;
  const submit = postgres.scenarios.find((run) => run.name === "submit")!;
  const reads = postgres.scenarios.filter((run) => run.rate !== null);
  const rows: TargetRow[] = [
    {
      target: `submit ≥ ${TARGETS.submitRatio} × raw SQL (pgbench)`,
      measured: `${fixed(submit.rps)} / ${fixed(postgres.pgbench.tps)} = ${fixed(postgres.submitRatio, 2)}`,
      met: postgres.submitRatio >= TARGETS.submitRatio,
    },
    ...reads.map((run) => ({
      target: `p99 of ${run.name} at ${run.rate} req/s ≤ ${TARGETS.readP99Ms} ms`,
      measured:
        run.unfinished > 0
          ? `≥ ${run.p99} ms (served ${fixed(run.rps)} req/s, ${run.unfinished} requests unanswered at the end)`
          : `${run.p99} ms`,
      met: run.p99 <= TARGETS.readP99Ms,
    })),
    {
      target: `peak RSS ≤ ${TARGETS.peakRssMb} MB (PostgreSQL, under load)`,
      measured: `${fixed(postgres.peakRssMb)} MB (high-water mark ${fixed(postgres.highWaterMarkMb)} MB)`,
      met:
        postgres.peakRssMb <= TARGETS.peakRssMb &&
        postgres.highWaterMarkMb <= TARGETS.peakRssMb,
    },
  ];
  if (pglite) {
    rows.push({
      target: `PGlite default ≥ ${TARGETS.pgliteSubmitsPerSecond} submits/s`,
      measured: `${fixed(pglite.submit.rps)} submits/s`,
      met: pglite.submit.rps >= TARGETS.pgliteSubmitsPerSecond,
    });
  }
  return rows;
}

function scenarioRows(runs: ScenarioResult[]): string[][] {
  return runs.map((run) => [
    run.name,
    String(run.connections),
    fixed(run.rps),
    String(run.p50),
    String(run.p99),
    String(run.max),
    `${run.non2xx}${run.unfinished > 0 ? `, ${run.unfinished} unfinished` : ""}${run.exhausted ? " (pool used up)" : ""}`,
    fixed(run.cpuMsPerRequest, 2),
    fixed(run.databaseCpuMsPerRequest, 2),
    fixed(run.clientCpuMsPerRequest, 2),
    fixed(run.peakRssMb),
    run.pendingMailBefore === undefined
      ? "–"
      : thousands(run.pendingMailBefore),
  ]);
}

const SCENARIO_HEADER = [
  "scenario",
  "conn.",
  "req/s",
  "p50 ms",
  "p99 ms",
  "max ms",
  "non-2xx",
  "product CPU ms/req",
  "database CPU ms/req",
  "load generator CPU ms/req",
  "peak RSS MB",
  "mail pending at start",
];

function profileSection(profile: ScenarioProfile, heading: string): string {
  const { cpu, database, run } = profile;
  const lines = [
    `#### ${heading}`,
    "",
    `Profiled run: ${fixed(run.rps)} req/s, p50 ${run.p50} ms, p99 ${run.p99} ms; ` +
      `product CPU ${fixed(run.cpuMsPerRequest, 2)} ms/req, database CPU ${fixed(run.databaseCpuMsPerRequest, 2)} ms/req. ` +
      `The product's main thread was idle ${fixed(cpu.idlePercent)} % of the ${fixed(cpu.totalMs / 1000, 1)} s window.`,
    "",
    "Self time of the product's busy (non-idle) main thread, by module:",
    "",
    table(
      ["module", "self ms", "% of busy"],
      cpu.modules.map((entry) => [
        `\`${entry.name}\``,
        fixed(entry.selfMs),
        fixed(entry.percent, 1),
      ]),
    ),
    "",
    "Top functions by self time:",
    "",
    table(
      ["function", "self ms", "% of busy"],
      cpu.functions.map((entry) => [
        `\`${entry.name.replaceAll("|", "\\|")}\``,
        fixed(entry.selfMs),
        fixed(entry.percent, 1),
      ]),
    ),
  ];
  if (database) {
    lines.push(
      "",
      `Database backends of the product, sampled every 10 ms (${database.samples} samples, ` +
        `${fixed((100 * database.busySamples) / Math.max(database.samples, 1))} % with a statement running). ` +
        "Share of active-backend samples by wait event (`CPU` = running) and by statement:",
      "",
      table(
        ["wait event", "%"],
        database.waits.map((entry) => [
          `\`${entry.wait}\``,
          fixed(entry.percent, 1),
        ]),
      ),
      "",
      table(
        ["statement (first 160 characters)", "%"],
        database.statements.map((entry) => [
          `\`${entry.statement.replaceAll("|", "\\|").replaceAll("`", "'")}\``,
          fixed(entry.percent, 1),
        ]),
      ),
    );
  }
  return lines.join("\n");
}

export function renderFigures(results: BenchResults): string {
  const { machine, postgres, pglite, settings } = results;
  const submit = postgres.scenarios.find((run) => run.name === "submit")!;
  const sections: string[] = [];
  sections.push(
    `Run of ${results.startedAt.slice(0, 16).replace("T", " ")} UTC, commit \`${machine.commit}\`, ` +
      `${fixed(results.minutes, 1)} minutes in all.`,
    "",
    table(
      ["machine", ""],
      [
        ["CPU", `${machine.cpus} × ${machine.cpuModel}`],
        ["memory", `${fixed(machine.memoryGb, 1)} GB`],
        [
          "load average (1, 5, 15 min)",
          `${machine.loadAverageBefore.join(", ")} at the start; ${machine.loadAverageAfter.join(", ")} at the end`,
        ],
        ["Node.js", machine.node],
        ["PostgreSQL", `${machine.postgres} (same machine, default settings)`],
        ["pgbench", machine.pgbench],
        [
          "load settings",
          `${settings.connections} connections, ${settings.duration} s per run after a 5 s warm-up; reads also at ${settings.readRate} req/s; curve ${settings.curve.join(", ")} connections × ${settings.curveDuration} s`,
        ],
      ],
    ),
    "",
    "### Targets",
    "",
    table(
      ["target", "measured", "met"],
      evaluateTargets(results).map((row) => [
        row.target,
        row.measured,
        row.met ? "yes" : "**no**",
      ]),
    ),
    "",
    "### Data set",
    "",
    table(
      ["table", "PostgreSQL rows", ...(pglite ? ["PGlite rows"] : [])],
      Object.entries(postgres.rowCounts).map(([name, count]) => [
        `\`${name}\``,
        thousands(count),
        ...(pglite ? [thousands(pglite.rowCounts[name] ?? 0)] : []),
      ]),
    ),
    "",
    `PostgreSQL: ${thousands(postgres.sizes.editorialCabinets)} editorial cabinets, ` +
      `${thousands(postgres.sizes.organizations)} organizations, ${thousands(postgres.sizes.applications)} applications ` +
      `(scale ${settings.scale}), ${thousands(postgres.databaseSizeMb)} MB on disk, generated in ${fixed(postgres.generationSeconds)} s. ` +
      `Busiest review queue: ${thousands(postgres.queueSizes.reviewerSubmitted)} submitted applications; ` +
      `all regions: ${thousands(postgres.queueSizes.allSubmitted)}.` +
      (pglite
        ? ` PGlite: scale ${settings.pgliteScale} (${thousands(pglite.sizes.applications)} applications), generated in ${fixed(pglite.generationSeconds)} s.`
        : ""),
    "",
    `### PostgreSQL: reads at ${settings.readRate} requests per second`,
    "",
    `The latency targets apply to these runs. Requests go out at even intervals, ${settings.readRate} per second whatever the answers take, over at most ${settings.connections} keep-alive connections, and each is timed from its planned send time. The latency is the service time plus the queueing of a moderate load.`,
    "",
    table(
      SCENARIO_HEADER,
      scenarioRows(postgres.scenarios.filter((run) => run.rate !== null)),
    ),
    "",
    "### PostgreSQL: as fast as the product answers",
    "",
    `Every connection sends its next request as soon as the previous one is answered, so the latency is mostly the wait behind the other ${settings.connections - 1} connections.`,
    "",
    table(
      SCENARIO_HEADER,
      scenarioRows(postgres.scenarios.filter((run) => run.rate === null)),
    ),
    "",
    "### Submit against raw SQL",
    "",
    table(
      ["", "per second", "p50 ms", "p99 ms", "database CPU ms per submit"],
      [
        [
          `HTTP submit, ${submit.connections} connections`,
          fixed(submit.rps),
          String(submit.p50),
          String(submit.p99),
          fixed(submit.databaseCpuMsPerRequest, 2),
        ],
        [
          `pgbench, ${postgres.pgbench.clients} clients, \`-M ${postgres.pgbench.mode}\``,
          fixed(postgres.pgbench.tps),
          fixed(postgres.pgbench.p50, 1),
          fixed(postgres.pgbench.p99, 1),
          fixed(postgres.pgbench.databaseCpuMsPerTransaction, 2),
        ],
      ],
    ),
    "",
    `Ratio: **${fixed(postgres.submitRatio, 2)}** (target ≥ ${TARGETS.submitRatio}). ` +
      `pgbench failed transactions: ${postgres.pgbench.failed}. ` +
      `Mail received by the SMTP sink during the run: ${thousands(postgres.mailsReceived)}.`,
    "",
    "### Submit latency against load",
    "",
    `![Submit latency against throughput](${SVG_NAME})`,
    "",
    table(SCENARIO_HEADER, scenarioRows(postgres.curve)),
  );
  if (pglite) {
    sections.push(
      "",
      "### PGlite default",
      "",
      table(SCENARIO_HEADER, scenarioRows([pglite.submit])),
      "",
      `RSS high-water mark of the PGlite product: ${fixed(pglite.highWaterMarkMb)} MB (PGlite runs inside the product's process).`,
    );
  }
  const profiles = [
    ...postgres.profiles.map((profile) => ({
      profile,
      heading: `PostgreSQL: ${profile.scenario}`,
    })),
    ...(pglite?.profile
      ? [{ profile: pglite.profile, heading: "PGlite: submit" }]
      : []),
  ];
  if (profiles.length > 0) {
    sections.push("", "### Profiles", "");
    for (const { profile, heading } of profiles) {
      sections.push(profileSection(profile, heading), "");
    }
  }
  return sections.join("\n").trimEnd();
}

const SKELETON = `# Benchmarks

${START}
${END}
`;

/** Writes the SVG and the figures section; returns the paths written. */
export function writeReport(results: BenchResults): string[] {
  const docs = join(REPOSITORY_ROOT, "docs");
  const svgPath = join(docs, SVG_NAME);
  writeFileSync(
    svgPath,
    latencyCurveSvg(
      results.postgres.curve,
      `Submit latency against load (PostgreSQL, ${results.startedAt.slice(0, 10)})`,
      `pgbench, same SQL, ${results.postgres.pgbench.clients} clients: ${fixed(results.postgres.pgbench.tps)} transactions/s`,
    ),
  );
  const mdPath = join(docs, "benchmarks.md");
  const current = existsSync(mdPath) ? readFileSync(mdPath, "utf8") : SKELETON;
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start < 0 || end < start) {
    throw new Error(
      `${mdPath} lacks the markers ${START} and ${END}: add them where the figures go`,
    );
  }
  const updated =
    current.slice(0, start + START.length) +
    "\n\n" +
    renderFigures(results) +
    "\n\n" +
    current.slice(end);
  writeFileSync(mdPath, updated);
  return [mdPath, svgPath];
}
