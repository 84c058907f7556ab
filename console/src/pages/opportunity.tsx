import { Fragment } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, api, must, type Schemas } from '../api/client';
import { FieldError, ProblemBanner } from '../components/problem';
import { when } from '../format';
import { href } from '../router';

type StageSets = Record<'B2B' | 'B2C', { name: string; probability: number; closed?: 'won' | 'lost' }[]>;

/** An opportunity created by conversion: its stage along its stage set, and the lead it came from. */
export const OpportunityPage = ({ id }: { id: string }) => {
  const [opp, setOpp] = useState<Schemas['Opportunity']>();
  const [sets, setSets] = useState<StageSets>();
  const [error, setError] = useState<unknown>();
  const [moveError, setMoveError] = useState<unknown>();
  const [comment, setComment] = useState('');
  const load = async () => {
    try {
      setOpp(await must(api.GET('/opportunities/{id}', { params: { path: { id } } })));
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => {
    void load();
    must(api.GET('/config/{name}', { params: { path: { name: 'opportunity-stages' } } })).then((doc) => setSets(doc.value as StageSets), setError);
  }, [id]);

  const move = async (stage: string) => {
    try {
      setOpp(await must(api.PATCH('/opportunities/{id}', { params: { path: { id } }, body: { stage, comment: comment || undefined } })));
      setMoveError(undefined);
      setComment('');
    } catch (e) {
      setMoveError(e);
      if (e instanceof ApiProblem && e.status === 409) await load();
    }
  };

  if (!opp) return error ? <ProblemBanner error={error} /> : <p class="loading">Loading…</p>;
  const stages = sets?.[opp.stageSet] ?? [];
  return (
    <article aria-labelledby="opp-title">
      <p>
        <a href={href(`/leads/${opp.leadId}`)}>← Lead {opp.leadId}</a>
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
        <dd>{opp.owner ?? '—'}</dd>
        <dt>Account</dt>
        <dd>{opp.accountId ?? '—'}</dd>
        <dt>Contact</dt>
        <dd>{opp.contactId}</dd>
        <dt>Source</dt>
        <dd>
          {opp.sourceId}
          {opp.campaign ? ` · ${opp.campaign}` : ''}
        </dd>
        <dt>Followers</dt>
        <dd>{opp.followers.join(', ') || 'nobody'}</dd>
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
    </article>
  );
};
