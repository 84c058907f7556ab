import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';

const milliseconds = (value: unknown) => (typeof value === 'number' && value > 0 ? value : undefined);

/**
 * jest's Node environment with the tier's timeouts (`testEnvironmentOptions.testTimeout` and
 * `hookTimeout`): jest's own `testTimeout` is one for the whole run, and it gives hooks the test
 * timeout, while set-up hooks (a runtime, a browser) need longer than some tiers' tests. A timeout
 * given to `it`, a hook or `jest.setTimeout` in a file still wins.
 */
export default class TierEnvironment extends TestEnvironment {
  private readonly testTimeout: number | undefined;
  private readonly hookTimeout: number | undefined;

  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    const options = config.projectConfig.testEnvironmentOptions;
    this.testTimeout = milliseconds(options.testTimeout);
    this.hookTimeout = milliseconds(options.hookTimeout);
  }

  handleTestEvent(event: Circus.Event, state: Circus.State) {
    if (event.name === 'setup' && this.testTimeout !== undefined) state.testTimeout = this.testTimeout;
    if (event.name === 'add_hook' && event.timeout === undefined && this.hookTimeout !== undefined) {
      const hook = state.currentDescribeBlock.hooks.at(-1);
      if (hook) hook.timeout = this.hookTimeout;
    }
  }
}
