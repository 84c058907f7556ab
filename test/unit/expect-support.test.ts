import { describe, it, expect as jestExpect } from '@jest/globals';
import { expect, expectEventually } from '../support/expect';

const failureOf = async (assertion: () => unknown): Promise<Error> => {
  try {
    await assertion();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the assertion passed');
};

describe("expect's message (vitest's second argument)", () => {
  it('puts the message in front of a failure, for plain, negated and async matchers', async () => {
    for (const failing of [
      () => expect(201, 'the body said no').toBe(202),
      () => expect(1, 'the body said no').not.toBe(1),
      () => expect(Promise.resolve(1), 'the body said no').resolves.toBe(2),
    ]) {
      const error = await failureOf(failing);
      jestExpect(error.message.startsWith('the body said no\n\n')).toBe(true);
      jestExpect(error.message).toMatch(/Expected: (not )?\d/);
    }
  });

  it('passes as jest does, and keeps asymmetric matchers', () => {
    expect(202, 'unused').toBe(202);
    expect({ a: 1, b: 'x' }).toEqual({ a: expect.any(Number), b: 'x' });
  });
});

describe("expectEventually (vitest's expect.poll)", () => {
  it('reads again until the matcher passes', async () => {
    let reads = 0;
    await expectEventually(() => ++reads, { timeout: 2_000, interval: 10 }).toBeGreaterThanOrEqual(3);
    jestExpect(reads).toBe(3);
  });

  it("fails with the matcher's last failure once the time is up", async () => {
    let reads = 0;
    const error = await failureOf(() =>
      expectEventually(async () => ++reads, { timeout: 200, interval: 20 }).not.toBeGreaterThan(0),
    );
    jestExpect(error.message).toMatch(/toBeGreaterThan/);
    jestExpect(reads).toBeGreaterThan(2);
  });
});
