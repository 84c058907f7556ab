import { useEffect, useState } from 'preact/hooks';
import { api, type ConfigValues, must } from './api/client';

type Teams = ConfigValues['teams'];

/** Who is who, from the teams configuration: display names for user and team ids, and the pickers' choices. */
export type Directory = {
  /** The display name of a user id (the id itself when the teams config does not name them). */
  name: (user: string | undefined | null) => string;
  /** The display name of a team id. */
  team: (id: string | undefined | null) => string;
  /** Every user the teams config knows (members, managers, people), with their name, sorted by name. */
  users: { user: string; name: string }[];
  teams: { id: string; name: string }[];
};

export const directoryOf = (value: Teams | undefined): Directory => {
  const names = new Map<string, string>();
  for (const p of value?.people ?? []) names.set(p.user, p.name);
  const ids = new Set<string>(names.keys());
  for (const t of value?.teams ?? []) {
    ids.add(t.manager);
    for (const m of t.members) ids.add(m.user);
  }
  const teamNames = new Map((value?.teams ?? []).map((t) => [t.id, t.name]));
  const name = (user: string | undefined | null) => (user ? (names.get(user) ?? user) : '');
  return {
    name,
    team: (id) => (id ? (teamNames.get(id) ?? id) : ''),
    users: [...ids]
      .filter(Boolean)
      .map((user) => ({ user, name: name(user) }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    teams: (value?.teams ?? []).map((t) => ({ id: t.id, name: t.name })),
  };
};

let loading: Promise<Directory> | undefined;
/** The teams configuration, read once per page load (everyone signed in may read it); ids stand in when it fails. */
const loadDirectory = () => {
  loading ??= must(api.GET('/config/{name}', { params: { path: { name: 'teams' } } })).then(
    (doc) => directoryOf(doc.value as Teams),
    () => {
      loading = undefined;
      return directoryOf(undefined);
    },
  );
  return loading;
};

/** Forgets the cached directory (after the teams configuration is saved). */
export const refreshDirectory = () => {
  loading = undefined;
};

const EMPTY = directoryOf(undefined);

/** The directory for a page: ids at first, names once the teams configuration has arrived. */
export const useDirectory = (): Directory => {
  const [dir, setDir] = useState<Directory>(EMPTY);
  useEffect(() => {
    let live = true;
    void loadDirectory().then((d) => live && setDir(d));
    return () => {
      live = false;
    };
  }, []);
  return dir;
};
