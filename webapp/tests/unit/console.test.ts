import { describe, expect, it } from 'vitest';

import type { MetricsReading, PluginCost } from '../../src/api/admin';
import { describeCapability } from '../../src/components/console/capabilities';
import { liveCost, quantileMs } from '../../src/components/console/cost';
import { groupEntries, newer } from '../../src/components/console/Marketplace';
import { asNumber } from '../../src/components/console/SettingField';

const BOUNDS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, null];

/** Cumulative buckets from per-bucket counts. */
function buckets(counts: number[]) {
  let total = 0;
  return BOUNDS.map((le, i) => ({ le, count: (total += counts[i] ?? 0) }));
}

function cost(calls: number, fuel: number, counts: number[]): PluginCost {
  return {
    plugin_id: 'p',
    calls,
    errors: 0,
    failures: {},
    fuel_used: fuel,
    fuel_per_call: calls ? fuel / calls : null,
    latency_ms_mean: null,
    latency_ms_p50: null,
    latency_ms_p99: null,
    latency_buckets: buckets(counts),
    instances: 1,
    max_instances_seen: 1,
    instance_limit: 4,
    memory_bytes: 1 << 20,
    memory_cap_bytes_per_instance: null,
    fuel_per_call_limit: null,
    hooks: {},
  };
}

const reading = (at: number, p: PluginCost): MetricsReading => ({ at, plugins: [p] });

describe('System Console cost figures', () => {
  it('estimates quantiles inside the bucket that holds the rank', () => {
    expect(quantileMs(buckets([]), 0.5)).toBeNull();
    // 99 calls between 1 and 5 ms, one between 100 and 500 ms.
    const b = buckets([0, 0, 0, 0, 0, 99, 0, 0, 0, 1]);
    const p50 = quantileMs(b, 0.5)!;
    expect(p50).toBeGreaterThan(1);
    expect(p50).toBeLessThan(5);
    expect(quantileMs(b, 1)!).toBeGreaterThan(100);
    // Overflow: the last finite bound, as Prometheus answers.
    expect(quantileMs(buckets([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3]), 0.5)).toBe(5000);
  });

  it('turns two readings into rates over the interval between them', () => {
    const before = reading(1000, cost(10, 1000, [0, 0, 0, 0, 10]));
    const after = reading(3000, cost(30, 5000, [0, 0, 0, 0, 10, 0, 0, 0, 0, 20]));
    const live = liveCost(after, before, 'p')!;
    expect(live.callsPerSecond).toBe(10);
    expect(live.fuelPerCall).toBe(200);
    expect(live.windowed).toBe(true);
    // Only the 20 new calls (100-500 ms) count for the window's median.
    expect(live.p50Ms!).toBeGreaterThan(100);
    // One reading: no rate yet, lifetime figures.
    const first = liveCost(before, null, 'p')!;
    expect(first.callsPerSecond).toBeNull();
    expect(first.fuelPerCall).toBe(100);
    // A reload restarts the counters: no negative rate.
    expect(liveCost(reading(5000, cost(2, 10, [0, 0, 0, 0, 2])), after, 'p')!.callsPerSecond).toBeNull();
    expect(liveCost(after, before, 'other')).toBeNull();
  });

  it('says every permission in words', () => {
    expect(describeCapability('http:api.example.com')).toBe('call api.example.com over HTTP(S)');
    expect(describeCapability('http:*.example.com')).toContain('any address under example.com');
    expect(describeCapability('posts:read')).toMatch(/read any post/);
    expect(describeCapability('users:write')).toMatch(/deactivate/);
    expect(describeCapability('made-up')).toMatch(/not a permission/);
    expect(describeCapability('plugin:com.example.b')).toMatch(/call the plugin com.example.b/);
  });

  it('groups marketplace versions and compares them as semver', () => {
    expect(newer('1.10.0', '1.9.2')).toBe(true);
    expect(newer('1.0.0', '1.0.0')).toBe(false);
    const entry = (version: string) => ({ download_url: '', installed_version: '', manifest: { id: 'm', name: 'M', version } });
    const grouped = groupEntries([entry('1.0.0'), entry('1.2.0'), entry('1.1.0')]);
    expect(grouped).toHaveLength(1);
    expect(grouped[0].entry.manifest.version).toBe('1.2.0');
    expect(grouped[0].versions).toEqual(['1.2.0', '1.1.0', '1.0.0']);
  });

  it('sends what is not a number as typed, for the server to refuse', () => {
    expect(asNumber(' 42 ')).toBe(42);
    expect(asNumber('')).toBeNull();
    expect(asNumber('ten')).toBe('ten');
  });
});
