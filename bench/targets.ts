/** The targets of the benchmark, on the 2-core reference machine, all from one run. */
export const TARGETS = {
  /** Successful HTTP submits per second ÷ pgbench transactions per second of the same SQL. */
  submitRatio: 0.5,
  /** p99 of the review queue's pages and of the editorial-cabinet search at full size, ms. */
  readP99Ms: 20,
  /** Peak RSS of the product under load with PostgreSQL, MB. */
  peakRssMb: 200,
  /** Successful submits per second with the PGlite default. */
  pgliteSubmitsPerSecond: 300,
} as const;
