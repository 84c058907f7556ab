import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Lead, must } from '../api/client';
import { leadName, STAGE_LABEL } from '../format';
import { href } from '../router';

const DEBOUNCE_MS = 200;

/**
 * The header's search: name, e-mail, phone, company or lead id, as you type (two characters at
 * least). Results are links to the leads; Escape closes them, Enter opens the first.
 */
export const SearchBox = () => {
  const [text, setText] = useState('');
  const [results, setResults] = useState<Lead[] | undefined>();
  const [open, setOpen] = useState(false);
  const latest = useRef(0);

  useEffect(() => {
    const typed = text.trim();
    if (typed.replace(/[^\p{L}\p{N}]/gu, '').length < 2) {
      setResults(undefined);
      return;
    }
    const mine = ++latest.current;
    const timer = setTimeout(async () => {
      try {
        const found = await must(api.GET('/search', { params: { query: { q: typed, limit: 10 } } }));
        if (mine === latest.current) {
          setResults(found.items);
          setOpen(true);
        }
      } catch {
        if (mine === latest.current) setResults([]);
      }
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text]);

  const go = (lead: Lead) => {
    location.hash = href(`/leads/${lead.id}`);
    setOpen(false);
    setText('');
  };

  return (
    <search class="search-box">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const first = results?.[0];
          if (first) go(first);
        }}
      >
        <label class="visually-hidden" for="lead-search">
          Search leads
        </label>
        <input
          id="lead-search"
          type="search"
          autoComplete="off"
          placeholder="Search leads…"
          value={text}
          aria-controls={open && results ? 'lead-search-results' : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
          onFocus={() => setOpen(true)}
          onKeyDown={(e) => {
            if (e.key === 'Escape') setOpen(false);
          }}
        />
      </form>
      {open && results && (
        <ul id="lead-search-results" class="search-results" aria-label="Search results">
          {results.length === 0 && <li class="muted">No lead matches “{text.trim()}”</li>}
          {results.map((lead) => (
            <li key={lead.id}>
              <a href={href(`/leads/${lead.id}`)} onClick={() => go(lead)}>
                <strong>{leadName(lead)}</strong>
                <span class="muted">
                  {' '}
                  {[lead.company, lead.email, STAGE_LABEL[lead.stage]].filter(Boolean).join(' · ')}
                </span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </search>
  );
};
