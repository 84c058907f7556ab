import { useEffect, useRef } from 'preact/hooks';
import { api, must, type Schemas } from '../api/client';
import { useResource } from '../api/use-resource';
import { ProblemBanner } from '../components/problem';
import { when } from '../format';

/** The scoring model card: which model scores leads, how it was trained and how well it ranks. */
export const ModelCard = ({ pointsVersion }: { pointsVersion?: number }) => {
  const { data: card, error, reload } = useResource(() => must(api.GET('/scoring/model')), [pointsVersion]);
  // Right after a save the scoring API may still hold the previous points model for a moment
  // (configuration reads are cached briefly per function): ask again until it names the saved version.
  const attempts = useRef({ version: pointsVersion, count: 1 });
  useEffect(() => {
    if (!card || pointsVersion === undefined || card.points.model === `points@${pointsVersion}`) return;
    if (attempts.current.version !== pointsVersion) attempts.current = { version: pointsVersion, count: 1 };
    if (attempts.current.count >= 5) return;
    attempts.current.count += 1;
    const timer = setTimeout(() => void reload(), 1000);
    return () => clearTimeout(timer);
  }, [card, pointsVersion, reload]);
  if (error) return <ProblemBanner error={error} />;
  if (!card) return <p class="loading">Loading…</p>;
  const { points } = card;
  const learned = card.active ?? card.latest;
  return (
    <div>
      <h2>Model card</h2>
      <p data-testid="scoring-now">
        New leads are scored by <strong>{card.scoring}</strong>
        {card.scoring.startsWith('points@') ? ' (the points rules sales ops edit)' : ' (a model learned from outcomes)'}
        .
      </p>
      <dl class="fields">
        <dt>Points model</dt>
        <dd>
          {points.model}: {points.rules} rule{points.rules === 1 ? '' : 's'}; band A from {points.bands.A} points, B
          from {points.bands.B}, C from {points.bands.C}, D below.
        </dd>
        <dt>Learned model</dt>
        <dd>
          May take over once {points.learned.minConversions ?? 200} leads have converted, if it ranks better than the
          points model on the {Math.round((points.learned.holdoutFraction ?? 0.25) * 100)}% of outcomes held back.
        </dd>
      </dl>
      {learned ? (
        <Learned card={learned} active={Boolean(card.active)} />
      ) : (
        <p>No learned model has been trained yet.</p>
      )}
    </div>
  );
};

type Card = NonNullable<Schemas['ScoringModels']['latest']>;
const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

/** A learned model in words: what it was trained on, how well it ranks against the points model, what weighs. */
const Learned = ({ card, active }: { card: Card; active: boolean }) => {
  const features = [...card.features].sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight));
  return (
    <section aria-labelledby="learned-title">
      <h3 id="learned-title">
        {card.model} {active ? '· scoring new leads' : '· not in use'}
      </h3>
      <p>
        Trained on {when(card.trainedAt)} from {card.trainingSize.toLocaleString()} outcomes ({card.conversions}{' '}
        converted, {card.disqualifications} disqualified; {card.fittedRows.toLocaleString()} used for the fit). On{' '}
        {card.holdoutSize.toLocaleString()} outcomes held back it put a converted lead above a lost one{' '}
        {pct(card.holdoutAuc)} of the time; the points model did {pct(card.pointsHoldoutAuc)}.
      </p>
      <p>
        <strong>Decision:</strong> {card.decision}
      </p>
      <table>
        <caption class="muted">What weighs, strongest first</caption>
        <thead>
          <tr>
            <th scope="col">Feature</th>
            <th scope="col">Effect</th>
            <th scope="col" class="num">
              Weight
            </th>
          </tr>
        </thead>
        <tbody>
          {features.map((f) => (
            <tr key={f.name}>
              <td>{f.name}</td>
              <td>{f.weight > 0 ? 'raises the score' : f.weight < 0 ? 'lowers the score' : 'no effect'}</td>
              <td class="num">{f.weight.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table>
        <caption class="muted">Calibration: predicted against observed conversion, per tenth of leads</caption>
        <thead>
          <tr>
            <th scope="col">Tenth</th>
            <th scope="col" class="num">
              Leads
            </th>
            <th scope="col" class="num">
              Predicted
            </th>
            <th scope="col" class="num">
              Converted
            </th>
          </tr>
        </thead>
        <tbody>
          {card.calibration.map((c) => (
            <tr key={c.decile}>
              <td>{c.decile}</td>
              <td class="num">{c.count}</td>
              <td class="num">{pct(c.meanPredicted)}</td>
              <td class="num">{pct(c.observedRate)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">
        Library: {card.library}; version {card.version}.
      </p>
    </section>
  );
};

export const ObjectTable = ({ rows, caption }: { rows: Record<string, unknown>[]; caption: string }) => {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <table>
      <caption class="muted">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th key={c} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r, i) => (
          <tr key={i}>
            {columns.map((c) => (
              <td key={c} class={typeof r[c] === 'number' ? 'num' : undefined}>
                {typeof r[c] === 'object' && r[c] !== null ? JSON.stringify(r[c]) : String(r[c] ?? '')}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
};
