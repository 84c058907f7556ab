import { LeadflowError } from '../errors';
import { type ActionPorts, actOnLead, whenSettled } from '../lifecycle/act-on-lead';
import type { LeadWriter } from '../lifecycle/ports';
import { allowedActions } from '../lifecycle/transitions';
import type { LeadConversionOnAccept } from './ports';

/**
 * An accepted quote converts its lead the way a rep would: the quote's net amount becomes the lead's
 * `expectedValue` (which the opportunity mapping carries to the opportunity's `amount`), then the
 * `convert` action runs through the lifecycle, so the lead's own conversion approval chain still applies.
 * A lead whose stage does not allow `convert` is left as it is, and the answer says why.
 */
export const makeConversionOnAccept = (
  ports: ActionPorts,
  writer: Pick<LeadWriter, 'write'>,
): LeadConversionOnAccept => ({
  async convert({ leadId, amount, quoteId, caller }) {
    const lead = await ports.leads.get(leadId);
    if (!lead) return { started: false, why: `lead ${leadId} does not exist` };
    const allowed = allowedActions(lead, await ports.config.stages());
    if (!allowed.includes('convert'))
      return {
        started: false,
        why: `a ${lead.stage} lead cannot convert yet${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}; convert it when it is sales-qualified`,
      };
    try {
      if (lead.expectedValue !== amount) {
        const at = ports.clock.now().toISOString();
        await writer.write(
          lead,
          { expectedValue: amount },
          [
            {
              at,
              actor: { kind: 'user', id: caller.userId, source: 'API' },
              action: 'edit',
              why: `expected value from accepted quote ${quoteId}`,
              data: { fields: ['expectedValue'], quoteId },
            },
          ],
          { keepToken: true },
        );
      }
      const out = await whenSettled(() =>
        actOnLead(ports, { leadId, action: 'convert', input: { comment: `quote ${quoteId} accepted` }, caller }),
      );
      return { started: true, why: out.next === 'approve' ? 'the conversion waits on its approval chain' : undefined };
    } catch (error) {
      if (error instanceof LeadflowError) return { started: false, why: error.message };
      throw error;
    }
  },
});
