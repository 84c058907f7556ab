import { describe, expect, it } from '@jest/globals';
import { stagePath } from '../../console/src/stage-path';

const T0 = Date.parse('2026-03-02T09:00:00Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

describe('the lead page stage path', () => {
  it('gives each stage the time spent in it, counting the current one up to now', () => {
    const audit = [
      { at: at(0), to: 'Creation' as const },
      { at: at(1), to: 'Assigned' as const },
      { at: at(61), to: 'MarketQualified' as const },
      { at: at(61), to: null }, // a note or an edit: not a move
    ];
    const lead = { stage: 'MarketQualified' as const, createdAt: at(0), stageEnteredAt: at(61) };
    const path = stagePath(lead, audit, T0 + 181 * 60_000);
    expect(path.map((s) => [s.stage, s.status, s.ms / 60_000])).toEqual([
      ['Creation', 'done', 1],
      ['Assigned', 'done', 60],
      ['MarketQualified', 'current', 120],
      ['SalesQualified', 'todo', 0],
      ['Converted', 'todo', 0],
    ]);
  });

  it('adds up a stage visited twice and ends on Disqualified, with the stages jumped over marked skipped', () => {
    const audit = [
      { at: at(1), to: 'Assigned' as const },
      { at: at(11), to: 'MarketQualified' as const },
      { at: at(21), to: 'Assigned' as const },
      { at: at(51), to: 'Disqualified' as const },
    ];
    const lead = { stage: 'Disqualified' as const, createdAt: at(0), stageEnteredAt: at(51) };
    const path = stagePath(lead, audit, T0 + 999 * 60_000);
    expect(path.map((s) => [s.stage, s.status, s.ms / 60_000])).toEqual([
      ['Creation', 'done', 1],
      ['Assigned', 'done', 40],
      ['MarketQualified', 'done', 10],
      ['SalesQualified', 'skipped', 0],
      ['Disqualified', 'current', 0],
    ]);
  });

  it('trusts the lead over a trail that has not caught up with its stage yet', () => {
    const lead = { stage: 'Assigned' as const, createdAt: at(0), stageEnteredAt: at(5) };
    const path = stagePath(lead, [], T0 + 15 * 60_000);
    expect(path.find((s) => s.status === 'current')).toMatchObject({ stage: 'Assigned', ms: 10 * 60_000 });
  });
});
