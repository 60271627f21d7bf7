// Servers: each downstream server's state, tools, restarts, last error and latency; admins may restart one.
import { enc, get, post, type Me, type Server } from '../api';
import { Empty, ErrorBox, ms, Page, Status, useAction, useLoad } from '../components';

export function Servers({ me }: { me: Me }) {
  const servers = useLoad((signal) => get<{ servers: Server[] }>('/servers', signal), [], 5000);
  const action = useAction();
  const restart = (name: string) => action.run(async () => {
    await post(`/servers/${enc(name)}/restart`);
    servers.reload();
  });
  const list = servers.data?.servers ?? [];
  return (
    <Page title="Servers" actions={<button type="button" onClick={servers.reload}>Refresh</button>}>
      <ErrorBox error={servers.error ?? action.error} />
      {servers.data && list.length === 0 && <Empty>No servers are configured.</Empty>}
      {list.length > 0 && (
        <table aria-label="Servers">
          <thead>
            <tr>
              <th>Server</th>
              <th>State</th>
              <th>Transport</th>
              <th>Protocol</th>
              <th class="num">Tools</th>
              <th class="num">Restarts</th>
              <th class="num">Latency</th>
              <th>Last error</th>
              {me.admin && <th><span class="sr-only">Actions</span></th>}
            </tr>
          </thead>
          <tbody>
            {list.map((s) => (
              <tr key={s.name} data-server={s.name}>
                <th scope="row">{s.name}</th>
                <td><Status value={s.state} /></td>
                <td>{s.transport}</td>
                <td>{s.protocol ?? ''}</td>
                <td class="num">{s.tools}</td>
                <td class="num">{s.restarts}</td>
                <td class="num">{ms(s.latencyMs)}</td>
                <td class="wrap">{s.error ?? ''}</td>
                {me.admin && (
                  <td>
                    <button type="button" disabled={action.busy} onClick={() => restart(s.name)} aria-label={`Restart ${s.name}`}>
                      Restart
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
