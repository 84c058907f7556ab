import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { ApiProblem, api, type ConfigValues, must, type Schemas } from '../api/client';
import { useAction, useResource } from '../api/use-resource';
import { FieldError, ProblemBanner } from '../components/problem';
import { QuoteEditor } from '../components/quote-editor';
import { when } from '../format';
import { RecordLink } from '../components/record-links';
import { useDirectory } from '../directory';

/** An opportunity created by conversion: its stage along its stage set, and the lead it came from. */
export const OpportunityPage = ({ id }: { id: string }) => {
  const opportunity = useResource<Schemas['Opportunity']>(
    () => must(api.GET('/opportunities/{id}', { params: { path: { id } } })),
    [id],
  );
  const sets = useResource(
    async () =>
      (await must(api.GET('/config/{name}', { params: { path: { name: 'opportunity-stages' } } })))
        .value as ConfigValues['opportunity-stages'],
    [id],
  );
  const [comment, setComment] = useState('');
  const people = useDirectory();
  const { run: move, error: moveError } = useAction(async (stage: string) => {
    try {
      const moved = await must(
        api.PATCH('/opportunities/{id}', { params: { path: { id } }, body: { stage, comment: comment || undefined } }),
      );
      opportunity.setData(() => moved);
      setComment('');
    } catch (e) {
      // Someone moved it first: show where it is now, with the reason.
      if (e instanceof ApiProblem && e.status === 409) await opportunity.reload();
      throw e;
    }
  });

  const opp = opportunity.data;
  const error = opportunity.error ?? sets.error;
  if (!opp) return error ? <ProblemBanner error={error} /> : <p class="loading">Loading…</p>;
  const stages = sets.data?.[opp.stageSet] ?? [];
  return (
    <article aria-labelledby="opp-title">
      <p>
        ← Lead <RecordLink kind="lead" id={opp.leadId} />
      </p>
      <h1 id="opp-title">
        {opp.name} <span class="muted">· {opp.stage}</span>
      </h1>
      <dl class="fields">
        <dt>Stage set</dt>
        <dd>{opp.stageSet}</dd>
        <dt>Probability</dt>
        <dd>{opp.probability}%</dd>
        <dt>Owner</dt>
        <dd>
          {opp.owner ? people.name(opp.owner) : '—'}
          {opp.team ? ` · ${people.team(opp.team)}` : ''}
        </dd>
        <dt>Account</dt>
        <dd>{opp.accountId ? <RecordLink kind="account" id={opp.accountId} /> : '—'}</dd>
        <dt>Contact</dt>
        <dd>
          <RecordLink kind="contact" id={opp.contactId} />
        </dd>
        <dt>Source</dt>
        <dd>
          {opp.sourceId}
          {opp.campaign ? ` · ${opp.campaign}` : ''}
        </dd>
        <dt>Followers</dt>
        <dd>{opp.followers.map((f) => people.name(f)).join(', ') || 'nobody'}</dd>
        <dt>In stage since</dt>
        <dd>{when(opp.stageEnteredAt)}</dd>
        {Object.entries(opp.fields).map(([k, v]) => (
          <Fragment key={k}>
            <dt>{k}</dt>
            <dd>{String(v)}</dd>
          </Fragment>
        ))}
      </dl>
      <h2>Move the stage</h2>
      <label>
        Comment (optional)
        <input value={comment} onInput={(e) => setComment(e.currentTarget.value)} aria-describedby="opp-stage-err" />
      </label>
      <div class="actions">
        {stages.map((s) => (
          <button type="button" key={s.name} disabled={s.name === opp.stage} onClick={() => void move(s.name)}>
            {s.name} ({s.probability}%{s.closed ? `, ${s.closed}` : ''})
          </button>
        ))}
      </div>
      <FieldError error={moveError} field="stage" id="opp-stage-err" />
      <ProblemBanner error={moveError} />
      <QuoteEditor owner={{ opportunityId: opp.id }} />
    </article>
  );
};
