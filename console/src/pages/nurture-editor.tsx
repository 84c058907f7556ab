import { useState } from 'preact/hooks';
import type { ConfigValues } from '../api/client';
import {
  type EditorProps,
  invalid,
  moveItem,
  Reason,
  RowButtons,
  reasonUnder,
  SaveBar,
} from '../components/config-fields';
import { DurationInput } from '../components/duration-input';

type Rule = ConfigValues['nurture']['rules'][number];

const newRule = (): Rule => ({ reason: '', recycleAfter: 'P90D', onActivity: true });

/** What the browser can check before saving; the server validates everything again and answers per field. */
const validate = (rules: Rule[]): Record<string, string> => {
  const issues: Record<string, string> = {};
  rules.forEach((rule, i) => {
    if (rule.reason !== undefined && !rule.reason.trim() && rule.convertToContact === undefined)
      issues[`value.rules.${i}.reason`] = 'name the disqualification reason';
  });
  return issues;
};

/**
 * Nurture and recycle rules: a disqualification for a listed reason (or kept as a contact) nurtures
 * the lead, with no open execution, until it is recycled to the queue after the set time or, when
 * "wake on activity" is ticked, as soon as it shows new activity. The first matching rule applies.
 */
export const NurtureEditor = ({ value, error, canEdit, onSave }: EditorProps<'nurture'>) => {
  const [rules, setRules] = useState<Rule[]>(() => structuredClone(value.rules));
  const [local, setLocal] = useState<Record<string, string>>({});
  const update = (i: number, patch: (r: Rule) => Rule) => setRules((rs) => rs.map((r, j) => (j === i ? patch(r) : r)));

  const submit = (e: Event) => {
    e.preventDefault();
    const issues = validate(rules);
    setLocal(issues);
    if (Object.keys(issues).length === 0)
      void onSave({
        rules: rules.map(({ reason, ...r }) => (reason?.trim() ? { ...r, reason: reason.trim() } : r)),
      });
  };

  return (
    <form onSubmit={submit} aria-label="Nurture rules" noValidate>
      <p class="muted">
        A lead disqualified for a reason listed here (or kept as a contact) is nurtured: it waits without an open
        workflow and goes back to the queue after the time set, with its history. The first rule that matches applies;
        reasons match regardless of case, spaces or dashes ("No budget" = "no-budget").
      </p>
      <ol class="rules">
        {rules.map((rule, i) => {
          const p = `value.rules.${i}`;
          const id = `nurture-${i}`;
          const label = `rule ${i + 1}`;
          return (
            <li key={id} data-nurture-index={i}>
              <fieldset disabled={!canEdit}>
                <legend>
                  Rule {i + 1}
                  {rule.reason ? `: ${rule.reason}` : rule.convertToContact ? ': kept as a contact' : ''}
                </legend>
                <Reason error={error} exact path={p} id={`${id}-err`} />
                <label>
                  Disqualification reason
                  <input
                    value={rule.reason ?? ''}
                    placeholder={rule.convertToContact ? 'any reason' : undefined}
                    aria-invalid={invalid(error, `${p}.reason`, local)}
                    aria-describedby={`${id}-reason-err`}
                    onInput={(e) => {
                      const reason = e.currentTarget.value;
                      update(i, (r) => ({ ...r, reason }));
                    }}
                  />
                  <Reason error={error} local={local} path={`${p}.reason`} id={`${id}-reason-err`} />
                </label>
                <label class="check">
                  <input
                    type="checkbox"
                    checked={rule.convertToContact ?? false}
                    onChange={(e) => {
                      const keep = e.currentTarget.checked;
                      update(i, ({ convertToContact: _, ...r }) => (keep ? { ...r, convertToContact: true } : r));
                    }}
                  />
                  Only when the rep keeps the lead as a contact
                </label>
                <DurationInput
                  label="Recycle after"
                  value={rule.recycleAfter}
                  id={`${id}-recycle`}
                  reason={reasonUnder(error, `${p}.recycleAfter`)}
                  onChange={(v) => update(i, (r) => ({ ...r, recycleAfter: v }))}
                />
                <label class="check">
                  <input
                    type="checkbox"
                    checked={rule.onActivity ?? true}
                    onChange={(e) => {
                      const onActivity = e.currentTarget.checked;
                      update(i, (r) => ({ ...r, onActivity }));
                    }}
                  />
                  Wake on activity (new activity brings the lead back at once)
                </label>
                <RowButtons
                  label={label}
                  noun="rule"
                  index={i}
                  count={rules.length}
                  onMove={(by) => setRules((rs) => moveItem(rs, i, by))}
                  onRemove={() => setRules((rs) => rs.filter((_, j) => j !== i))}
                />
              </fieldset>
            </li>
          );
        })}
      </ol>
      {rules.length === 0 && <p class="muted">No rules: disqualified leads stay disqualified.</p>}
      <SaveBar local={local} error={error} canEdit={canEdit}>
        <button type="button" onClick={() => setRules((rs) => [...rs, newRule()])}>
          Add a rule
        </button>
      </SaveBar>
    </form>
  );
};
