// The console's shell: the login page (a pasted token, kept in localStorage), the navigation and the
// hash router over the pages. Everything comes from the REST API (/api/v1).
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { getToken, onUnauthorized, request, setToken, type Me } from './api';
import { ErrorBox, message } from './components';
import { Approvals } from './pages/approvals';
import { Audit } from './pages/audit';
import { Catalog } from './pages/catalog';
import { ConversationView, Conversations } from './pages/conversations';
import { Memory } from './pages/memory';
import { RunView, Runs } from './pages/runs';
import { Servers } from './pages/servers';
import { Usage } from './pages/usage';
import { WorkflowView, Workflows } from './pages/workflows';
import './style.css';

const NAV: Array<[string, string]> = [
  ['servers', 'Servers'],
  ['catalog', 'Catalog'],
  ['runs', 'Runs'],
  ['approvals', 'Approvals'],
  ['workflows', 'Workflows'],
  ['memory', 'Memory'],
  ['conversations', 'Conversations'],
  ['usage', 'Usage'],
  ['audit', 'Audit'],
];

function useHash(): string[] {
  const read = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [parts, setParts] = useState(read);
  useEffect(() => {
    const update = () => setParts(read());
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return parts;
}

type Session = { state: 'checking' } | { state: 'login'; message?: string } | { state: 'offline'; message: string } | { state: 'in'; me: Me };

function Login({ notice, onIn }: { notice?: string; onIn: (me: Me) => void }) {
  const [token, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const me = await request<Me>('/me', { token: token.trim(), quiet401: true });
      setToken(token.trim());
      onIn(me);
    } catch (err) {
      setError((err as { status?: number }).status === 401 ? 'The token was not accepted (401). Check it and paste it again.' : message(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="login">
      <h1>MCP Orchestrator</h1>
      <p>Paste a token from the hub's <code>http.auth.tokens</code> to open the console.</p>
      <form onSubmit={submit}>
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="off" value={token} onInput={(e) => setValue((e.target as HTMLInputElement).value)} required />
        <button type="submit" disabled={busy || !token.trim()}>
          Log in
        </button>
      </form>
      <ErrorBox error={error} />
    </main>
  );
}

function Content({ route, me }: { route: string[]; me: Me }) {
  const [area, id] = route;
  switch (area ?? 'servers') {
    case 'servers':
      return <Servers me={me} />;
    case 'catalog':
      return <Catalog />;
    case 'runs':
      return id ? <RunView id={id} /> : <Runs me={me} />;
    case 'approvals':
      return <Approvals />;
    case 'workflows':
      return id ? <WorkflowView id={id} me={me} /> : <Workflows me={me} />;
    case 'memory':
      return <Memory />;
    case 'conversations':
      return id ? <ConversationView id={id} /> : <Conversations />;
    case 'usage':
      return <Usage />;
    case 'audit':
      return <Audit />;
    default:
      return <p role="alert">No page "{area}". Pick one above.</p>;
  }
}

function App() {
  const [session, setSession] = useState<Session>({ state: 'checking' });
  const route = useHash();

  const check = () => {
    setSession({ state: 'checking' });
    request<Me>('/me', { quiet401: true }).then(
      (me) => setSession({ state: 'in', me }),
      (err) => {
        if ((err as { status?: number }).status === 401) {
          const had = getToken() !== '';
          setToken('');
          setSession({ state: 'login', message: had ? 'The saved token was not accepted (401). Paste a valid token.' : undefined });
        } else setSession({ state: 'offline', message: `The hub's API did not answer: ${message(err)}` });
      },
    );
  };

  useEffect(() => {
    onUnauthorized((text) => {
      setToken('');
      setSession({ state: 'login', message: text });
    });
    check();
  }, []);

  if (session.state === 'checking') return <p class="loading">Connecting to the hub…</p>;
  if (session.state === 'offline')
    return (
      <main class="login">
        <h1>MCP Orchestrator</h1>
        <ErrorBox error={session.message} />
        <button type="button" onClick={check}>
          Try again
        </button>
      </main>
    );
  if (session.state === 'login') return <Login notice={session.message} onIn={(me) => setSession({ state: 'in', me })} />;

  const area = route[0] ?? 'servers';
  const logOut = () => {
    setToken('');
    setSession({ state: 'login', message: 'Logged out.' });
  };
  return (
    <div class="shell">
      <header class="top">
        <span class="brand">MCP Orchestrator</span>
        <nav aria-label="Console">
          {NAV.map(([key, label]) => (
            <a key={key} href={`#/${key}`} aria-current={area === key ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          signed in as <strong>{session.me.name}</strong>
          {session.me.admin ? ' (admin)' : ''}
          {getToken() && (
            <button type="button" class="link" onClick={logOut}>
              Log out
            </button>
          )}
        </span>
      </header>
      <main>
        <Content route={route} me={session.me} />
      </main>
    </div>
  );
}

render(<App />, document.getElementById('app')!);
