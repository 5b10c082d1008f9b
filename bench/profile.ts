import { readFileSync } from "node:fs";

/** The parts of a V8 `.cpuprofile` (written by `node --cpu-prof`) that are read here. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileEntry {
  name: string;
  /** Milliseconds of samples with this entry on top of the stack. */
  selfMs: number;
  percent: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time outside JavaScript: `(idle)`, waiting for I/O. */
  idlePercent: number;
  functions: ProfileEntry[];
  /** Self time grouped by where the code lives: an npm package, the product, Node internals. */
  modules: ProfileEntry[];
}

function moduleOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const packages = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packages) return packages[1]!;
  if (url.startsWith("node:")) return "node internals";
  const product = /\/(src\/[^/]+)\//.exec(url);
  if (product) return product[1]!;
  return url;
}

function shortUrl(url: string): string {
  const index = url.lastIndexOf("node_modules/");
  if (index >= 0) return url.slice(index + "node_modules/".length);
  const src = url.indexOf("/src/");
  if (src >= 0) return url.slice(src + 1);
  return url.replace(/^file:\/\//, "");
}

function top(map: Map<string, number>, totalMs: number, count: number) {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, selfMs]) => ({
      name,
      selfMs,
      percent: (100 * selfMs) / totalMs,
    }));
}

/**
 * Sums self time per function and per module from a `.cpuprofile` file,
 * over the last `windowSeconds` of the profile (the load run, when the
 * process was stopped right after it), or over all of it.
 */
export function summarizeCpuProfile(
  path: string,
  options: { windowSeconds?: number; count?: number } = {},
): ProfileSummary {
  const count = options.count ?? 15;
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const times: number[] = [];
  let elapsed = 0;
  for (const delta of profile.timeDeltas) {
    elapsed += delta;
    times.push(elapsed);
  }
  const windowStart =
    options.windowSeconds === undefined
      ? -Infinity
      : elapsed - options.windowSeconds * 1_000_000;
  const selfByNode = new Map<number, number>();
  let totalMs = 0;
  profile.samples.forEach((id, index) => {
    if (times[index]! < windowStart) return;
    const ms = (profile.timeDeltas[index] ?? 0) / 1000;
    totalMs += ms;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + ms);
  });
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let idleMs = 0;
  for (const [id, ms] of selfByNode) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === "(idle)") {
      idleMs += ms;
      continue;
    }
    const name = frame.url
      ? `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
      : frame.functionName;
    functions.set(name, (functions.get(name) ?? 0) + ms);
    const module = moduleOf(frame.url, frame.functionName);
    modules.set(module, (modules.get(module) ?? 0) + ms);
  }
  const busyMs = totalMs - idleMs;
  return {
    totalMs,
    idlePercent: totalMs > 0 ? (100 * idleMs) / totalMs : 0,
    // Percentages of the busy (non-idle) time.
    functions: top(functions, busyMs, count),
    modules: top(modules, busyMs, count),
  };
}
