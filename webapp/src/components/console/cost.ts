// A plugin's live cost from two metrics readings: calls per second, latency quantiles
// and fuel per call over the time between them (lifetime figures until a second
// reading shows calls), plus what the latest reading says about instances and memory.

import type { MetricsReading, PluginCost } from '../../api/admin';

export interface LiveCost {
  callsPerSecond: number | null;
  p50Ms: number | null;
  p99Ms: number | null;
  fuelPerCall: number | null;
  /** Whether the latency and fuel figures are over the last interval (else since load). */
  windowed: boolean;
  failures: Record<string, number>;
  instances: number;
  instanceLimit: number | null;
  memoryBytes: number;
  calls: number;
}

/** The `q` quantile in ms of cumulative buckets (`le` in seconds, null = overflow),
 *  linear within the bucket as Prometheus' `histogram_quantile`. */
export function quantileMs(buckets: { le: number | null; count: number }[], q: number): number | null {
  const total = buckets.length ? buckets[buckets.length - 1].count : 0;
  if (total <= 0) return null;
  const rank = q * total;
  let below = 0;
  let lower = 0;
  for (const { le, count } of buckets) {
    if (count >= rank && count > below) {
      if (le === null) return lower * 1000;
      return (lower + ((le - lower) * (rank - below)) / (count - below)) * 1000;
    }
    below = count;
    if (le !== null) lower = le;
  }
  return lower * 1000;
}

function find(reading: MetricsReading | null, id: string): PluginCost | undefined {
  return reading?.plugins.find((p) => p.plugin_id === id);
}

export function liveCost(latest: MetricsReading | null, previous: MetricsReading | null, id: string): LiveCost | null {
  const now = find(latest, id);
  if (!latest || !now) return null;
  const before = find(previous, id);
  // A reload starts the counters again: then only the latest reading counts.
  const comparable = previous && before && now.calls >= before.calls && latest.at > previous.at;
  const seconds = comparable ? (latest.at - previous.at) / 1000 : 0;
  const deltaCalls = comparable ? now.calls - before.calls : 0;
  const windowed = deltaCalls > 0;
  const buckets = windowed
    ? now.latency_buckets.map((b, i) => ({ le: b.le, count: b.count - (before?.latency_buckets[i]?.count ?? 0) }))
    : now.latency_buckets;
  return {
    callsPerSecond: comparable ? deltaCalls / seconds : null,
    p50Ms: quantileMs(buckets, 0.5),
    p99Ms: quantileMs(buckets, 0.99),
    fuelPerCall: windowed ? (now.fuel_used - (before?.fuel_used ?? 0)) / deltaCalls : now.fuel_per_call,
    windowed,
    failures: now.failures,
    instances: now.instances,
    instanceLimit: now.instance_limit,
    memoryBytes: now.memory_bytes,
    calls: now.calls,
  };
}

export function formatBytes(n: number): string {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${Math.round(n / (1 << 10))} KiB`;
  return `${n} B`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '–';
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  return `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;
}

export function formatCount(n: number | null): string {
  if (n === null) return '–';
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return n < 10 && !Number.isInteger(n) ? n.toFixed(2) : String(Math.round(n));
}
