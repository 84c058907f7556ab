import fc from 'fast-check';
import { describe, expect, it } from '@jest/globals';
import prices from '../../bench/aws-prices.json' with { type: 'json' };
import { costPer1000Leads, type LeadUsage } from '../../bench/cost-model';

const usage = (overrides: Partial<LeadUsage> = {}): LeadUsage => ({
  stateTransitions: 12,
  lambdaInvocations: 10,
  httpRequests: 4,
  readUnits: 20,
  writeUnits: 40,
  events: 6,
  storedBytes: 0,
  ...overrides,
});

describe('bench cost model', () => {
  it('prices state transitions at the Standard workflow list price per 1,000 leads', () => {
    const base = costPer1000Leads(usage({ stateTransitions: 0 }));
    const withTwelve = costPer1000Leads(usage({ stateTransitions: 12 }));

    const line = withTwelve.breakdown.find((l) => l.item.startsWith('Step Functions'));

    expect(line?.usdPer1000Leads).toBeCloseTo(12 * 1000 * prices.prices.stepFunctionsStandardPerTransition.usd, 6);
    expect(withTwelve.usdPer1000Leads).toBeGreaterThan(base.usdPer1000Leads);
  });

  it('answers a total that is the sum of its lines and never decreases when usage grows', () => {
    fc.assert(
      fc.property(fc.nat(100), fc.nat(100), fc.nat(1000), fc.nat(1000), (transitions, invocations, reads, writes) => {
        const small = costPer1000Leads(
          usage({
            stateTransitions: transitions,
            lambdaInvocations: invocations,
            readUnits: reads,
            writeUnits: writes,
          }),
        );
        const large = costPer1000Leads(
          usage({
            stateTransitions: transitions + 1,
            lambdaInvocations: invocations + 1,
            readUnits: reads + 1,
            writeUnits: writes + 1,
          }),
        );
        const sum = small.breakdown.reduce((s, l) => s + l.usdPer1000Leads, 0);
        expect(small.usdPer1000Leads).toBeCloseTo(sum, 2);
        expect(large.usdPer1000Leads).toBeGreaterThanOrEqual(small.usdPer1000Leads);
      }),
    );
  });

  it('says which date and region its prices are from', () => {
    const cost = costPer1000Leads(usage());

    expect(cost.pricesAsOf).toBe(prices.asOf);
    expect(cost.region).toBe('us-east-1');
  });
});
