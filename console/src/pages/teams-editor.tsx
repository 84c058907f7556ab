import { useState } from 'preact/hooks';
import { ApiProblem, type ConfigValues } from '../api/client';
import type { EditorProps } from '../components/config-fields';
import { ProblemBanner } from '../components/problem';

type TeamsValue = ConfigValues['teams'];
type Team = TeamsValue['teams'][number];
type Person = NonNullable<TeamsValue['people']>[number];

const reasonAt = (error: unknown, path: string) =>
  error instanceof ApiProblem
    ? error.problem.errors?.find((e) => e.field === path || e.field.startsWith(`${path}.`))?.reason
    : undefined;

/** Teams, their managers and members, with each member's availability (routing skips the unavailable). */
export const TeamsEditor = ({ value, error, canEdit, onSave }: EditorProps<'teams'>) => {
  const [teams, setTeams] = useState<Team[]>(() => structuredClone(value.teams));
  const [people, setPeople] = useState<Person[]>(() => structuredClone(value.people ?? []));
  const setPerson = (k: number, patch: Partial<Person>) =>
    setPeople((ps) => ps.map((p, j) => (j === k ? { ...p, ...patch } : p)));
  const update = (i: number, patch: (t: Team) => Team) => setTeams((ts) => ts.map((t, j) => (j === i ? patch(t) : t)));
  const Err = ({ path, id }: { path: string; id: string }) => {
    const reason = reasonAt(error, path);
    return reason ? (
      <span class="field-error" id={id}>
        {reason}
      </span>
    ) : null;
  };
  return (
    <form
      aria-label="Teams"
      onSubmit={(e) => {
        e.preventDefault();
        // An e-mail left blank is left out rather than sent empty.
        const named = people.map(({ email, ...p }) => (email?.trim() ? { ...p, email: email.trim() } : p));
        void onSave({ ...value, teams, people: named });
      }}
    >
      <ol class="rules">
        {teams.map((team, i) => (
          <li key={`team-${i}`} data-team={team.id}>
            <fieldset disabled={!canEdit}>
              <legend>{team.name || `Team ${i + 1}`}</legend>
              <label>
                Id
                <input
                  value={team.id}
                  aria-describedby={`t${i}-id`}
                  onInput={(e) => update(i, (t) => ({ ...t, id: e.currentTarget.value }))}
                />
                <Err path={`value.teams.${i}.id`} id={`t${i}-id`} />
              </label>
              <label>
                Name
                <input
                  value={team.name}
                  aria-describedby={`t${i}-name`}
                  onInput={(e) => update(i, (t) => ({ ...t, name: e.currentTarget.value }))}
                />
                <Err path={`value.teams.${i}.name`} id={`t${i}-name`} />
              </label>
              <label>
                Manager
                <input
                  value={team.manager}
                  aria-describedby={`t${i}-mgr`}
                  onInput={(e) => update(i, (t) => ({ ...t, manager: e.currentTarget.value }))}
                />
                <Err path={`value.teams.${i}.manager`} id={`t${i}-mgr`} />
              </label>
              <table>
                <caption class="muted">Members</caption>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Available for new leads</th>
                    <th scope="col">
                      <span class="muted">Remove</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {team.members.map((m, k) => (
                    <tr key={`m-${k}`}>
                      <td>
                        <input
                          aria-label={`Member ${k + 1} of ${team.name}`}
                          value={m.user}
                          onInput={(e) =>
                            update(i, (t) => ({
                              ...t,
                              members: t.members.map((x, y) => (y === k ? { ...x, user: e.currentTarget.value } : x)),
                            }))
                          }
                        />
                      </td>
                      <td>
                        <input
                          type="checkbox"
                          aria-label={`${m.user || 'member'} available`}
                          checked={m.available ?? true}
                          onChange={(e) =>
                            update(i, (t) => ({
                              ...t,
                              members: t.members.map((x, y) =>
                                y === k ? { ...x, available: e.currentTarget.checked } : x,
                              ),
                            }))
                          }
                        />
                      </td>
                      <td>
                        <button
                          type="button"
                          aria-label={`Remove ${m.user || 'member'}`}
                          onClick={() => update(i, (t) => ({ ...t, members: t.members.filter((_, y) => y !== k) }))}
                        >
                          Remove
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <div class="actions">
                <button
                  type="button"
                  onClick={() => update(i, (t) => ({ ...t, members: [...t.members, { user: '', available: true }] }))}
                >
                  Add a member
                </button>
                <button type="button" onClick={() => setTeams((ts) => ts.filter((_, j) => j !== i))}>
                  Remove team
                </button>
              </div>
            </fieldset>
          </li>
        ))}
      </ol>
      <fieldset disabled={!canEdit} data-testid="people">
        <legend>People</legend>
        <p class="muted">
          The names shown for user ids on every page and in e-mails (members, managers, approvers, sales ops).
        </p>
        <table>
          <thead>
            <tr>
              <th scope="col">User id</th>
              <th scope="col">Name</th>
              <th scope="col">E-mail (optional)</th>
              <th scope="col">
                <span class="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {people.map((p, k) => (
              <tr key={`person-${k}`}>
                <td>
                  <input
                    aria-label={`Person ${k + 1} user id`}
                    value={p.user}
                    onInput={(e) => setPerson(k, { user: e.currentTarget.value })}
                  />
                  <Err path={`value.people.${k}.user`} id={`p${k}-user`} />
                </td>
                <td>
                  <input
                    aria-label={`Person ${k + 1} name`}
                    value={p.name}
                    onInput={(e) => setPerson(k, { name: e.currentTarget.value })}
                  />
                  <Err path={`value.people.${k}.name`} id={`p${k}-name`} />
                </td>
                <td>
                  <input
                    type="email"
                    aria-label={`Person ${k + 1} e-mail`}
                    value={p.email ?? ''}
                    onInput={(e) => setPerson(k, { email: e.currentTarget.value })}
                  />
                  <Err path={`value.people.${k}.email`} id={`p${k}-email`} />
                </td>
                <td>
                  <button
                    type="button"
                    aria-label={`Remove ${p.name || p.user || 'person'}`}
                    onClick={() => setPeople((ps) => ps.filter((_, j) => j !== k))}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" onClick={() => setPeople((ps) => [...ps, { user: '', name: '' }])}>
          Add a person
        </button>
      </fieldset>
      {canEdit && (
        <div class="actions">
          <button
            type="button"
            onClick={() => setTeams((ts) => [...ts, { id: '', name: '', manager: '', members: [] }])}
          >
            Add a team
          </button>
          <button type="submit" class="primary">
            Validate and save
          </button>
        </div>
      )}
      {error instanceof ApiProblem && error.status !== 409 && <ProblemBanner error={error} />}
    </form>
  );
};
