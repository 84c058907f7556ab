import { type ChatbotDeps, answerLexEvent } from '../core/capture-chatbot';
import type { LexResponse } from '../core/source-adapters/lex-v2';

/**
 * Amazon Lex V2 invokes this function directly as its dialog and fulfillment code hook (no HTTP, no
 * signature: the function's resource policy admits only the configured bot aliases).
 */
export const makeChatbotHandler =
  (deps: ChatbotDeps) =>
  async (event: unknown): Promise<LexResponse> =>
    answerLexEvent(deps, event);
