import prices from './aws-prices.json' with { type: 'json' };

/** What one lead costs in billable units, counted from executed local runs. */
export type LeadUsage = {
  stateTransitions: number;
  lambdaInvocations: number;
  httpRequests: number;
  readUnits: number;
  writeUnits: number;
  events: number;
  /** Bytes the lead keeps in the table (lead, keys, audit trail): storage per month. */
  storedBytes?: number;
};

export type CostLine = { item: string; perLead: number; usdPer1000Leads: number };

const p = prices.prices;
const a = prices.assumptions;

/**
 * USD per 1,000 leads from per-lead usage and the list prices in aws-prices.json. Lambda duration and
 * log volume come from the stated assumptions; storage is one month of keeping the lead.
 */
export const costPer1000Leads = (usage: LeadUsage) => {
  const gbSeconds = usage.lambdaInvocations * (a.lambdaBilledMsPerInvocation / 1000) * (a.lambdaMemoryMb / 1024);
  const perGbSecond = a.lambdaArchitecture === 'arm64' ? p.lambdaArmPerGbSecond.usd : p.lambdaX86PerGbSecond.usd;
  const storedGb =
    (usage.storedBytes ?? a.leadItemBytes + usage.stateTransitions * a.auditEntriesBytesPerTransition) / 2 ** 30;
  const lines: [string, number, number][] = [
    ['Step Functions state transitions', usage.stateTransitions, p.stepFunctionsStandardPerTransition.usd],
    ['Lambda requests', usage.lambdaInvocations, p.lambdaPerRequest.usd],
    ['Lambda duration (GB-s)', gbSeconds, perGbSecond],
    ['HTTP API requests', usage.httpRequests, p.httpApiPerRequest.usd],
    ['DynamoDB write units', usage.writeUnits, p.dynamoDbOnDemandPerWriteUnit.usd],
    ['DynamoDB read units', usage.readUnits, p.dynamoDbOnDemandPerReadUnit.usd],
    ['EventBridge events', usage.events, p.eventBridgeCustomEvent.usd],
    [
      'CloudWatch Logs (GB)',
      (usage.lambdaInvocations * a.logBytesPerInvocation) / 2 ** 30,
      p.cloudWatchLogsIngestPerGb.usd,
    ],
    ['DynamoDB storage + PITR (GB-month)', storedGb, p.dynamoDbStoragePerGbMonth.usd + p.dynamoDbPitrPerGbMonth.usd],
  ];
  const breakdown: CostLine[] = lines.map(([item, perLead, unit]) => ({
    item,
    perLead: Number(perLead.toPrecision(4)),
    usdPer1000Leads: Number((perLead * unit * 1000).toPrecision(3)),
  }));
  const total = breakdown.reduce((sum, l) => sum + l.usdPer1000Leads, 0);
  return {
    usdPer1000Leads: Number(total.toPrecision(3)),
    breakdown,
    pricesAsOf: prices.asOf,
    region: prices.region,
    assumptions: a,
  };
};
