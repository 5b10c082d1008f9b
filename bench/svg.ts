/** One measured load level of the latency curve. */
export interface CurvePoint {
  connections: number;
  rps: number;
  p50: number;
  p99: number;
}

/** Round tick values covering [0, max]: steps of 1, 2 or 5 × 10^n. */
function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step =
    [1, 2, 5, 10].map((factor) => factor * magnitude).find((s) => s >= raw) ??
    10 * magnitude;
  const values: number[] = [];
  for (let value = 0; value <= max + step * 0.999; value += step) {
    values.push(Number(value.toPrecision(12)));
  }
  return values;
}

function escapeXml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;");
}

/**
 * Draws latency (p50 and p99, ms) against throughput (requests per second),
 * one point per load level labelled with its connection count.
 */
export function latencyCurveSvg(
  points: CurvePoint[],
  title: string,
  note?: string,
): string {
  const width = 720;
  const height = 420;
  const margin = { left: 64, right: 24, top: 52, bottom: 56 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const xTicks = ticks(Math.max(...points.map((p) => p.rps), 1));
  const yTicks = ticks(Math.max(...points.map((p) => p.p99), 1));
  const xMax = xTicks.at(-1)!;
  const yMax = yTicks.at(-1)!;
  const x = (value: number) => margin.left + (value / xMax) * plotWidth;
  const y = (value: number) =>
    margin.top + plotHeight - (value / yMax) * plotHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(title)}</text>`,
  );
  if (note) {
    parts.push(
      `<text x="${width / 2}" y="40" text-anchor="middle" fill="#555">${escapeXml(note)}</text>`,
    );
  }
  for (const tick of xTicks) {
    parts.push(
      `<line x1="${x(tick)}" y1="${margin.top}" x2="${x(tick)}" y2="${margin.top + plotHeight}" stroke="#e5e5e5"/>`,
      `<text x="${x(tick)}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${tick}</text>`,
    );
  }
  for (const tick of yTicks) {
    parts.push(
      `<line x1="${margin.left}" y1="${y(tick)}" x2="${margin.left + plotWidth}" y2="${y(tick)}" stroke="#e5e5e5"/>`,
      `<text x="${margin.left - 8}" y="${y(tick) + 4}" text-anchor="end">${tick}</text>`,
    );
  }
  parts.push(
    `<rect x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#888"/>`,
    `<text x="${margin.left + plotWidth / 2}" y="${height - 14}" text-anchor="middle">throughput, successful submits per second</text>`,
    `<text transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">latency, ms</text>`,
  );
  const series = [
    { key: "p50" as const, color: "#1f77b4" },
    { key: "p99" as const, color: "#d62728" },
  ];
  const sorted = [...points].sort((a, b) => a.connections - b.connections);
  for (const { key, color } of series) {
    const path = sorted
      .map(
        (p, index) =>
          `${index === 0 ? "M" : "L"}${x(p.rps).toFixed(1)},${y(p[key]).toFixed(1)}`,
      )
      .join(" ");
    parts.push(
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"/>`,
    );
    for (const p of sorted) {
      parts.push(
        `<circle cx="${x(p.rps).toFixed(1)}" cy="${y(p[key]).toFixed(1)}" r="3.5" fill="${color}"/>`,
      );
    }
  }
  for (const p of sorted) {
    parts.push(
      `<text x="${(x(p.rps) + 6).toFixed(1)}" y="${(y(p.p99) - 6).toFixed(1)}" fill="#555">${p.connections} conn.</text>`,
    );
  }
  const legendX = margin.left + 12;
  series.forEach(({ key, color }, index) => {
    const legendY = margin.top + 16 + index * 18;
    parts.push(
      `<line x1="${legendX}" y1="${legendY - 4}" x2="${legendX + 20}" y2="${legendY - 4}" stroke="${color}" stroke-width="2"/>`,
      `<text x="${legendX + 26}" y="${legendY}">${key}</text>`,
    );
  });
  parts.push("</svg>");
  return `${parts.join("\n")}\n`;
}
