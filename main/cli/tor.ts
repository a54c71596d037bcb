// Which tor a runner uses, from the options:
//   --direct                    none: loopback peers only (demos, tests);
//   -a SELF.onion -c socks5h:…  a tor you run yourself, with your own onion service: only its SOCKS port;
//   --tor-control HOST:PORT     an existing tor (system tor, Tor Browser), attached through its control port;
//   otherwise                   a tor of the runner's own, started in DATA/tor, with the onion service
//                               published at run time (its key kept there, so the address stays).
import { readFile } from 'node:fs/promises';
import { TorManager } from '../tor/manager';
import { UsageError, type Values } from './options';

export async function openTor(
  values: Values,
  dataDir: string,
  print: (line: string) => void,
): Promise<TorManager | undefined> {
  if (values.direct) return undefined;
  if (values.address && values.proxy && !values['tor-control']) return undefined;
  let tor: TorManager;
  if (values['tor-control']) {
    const match = /^([\w.-]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(values['tor-control']);
    if (!match) throw new UsageError(`--tor-control takes HOST:PORT, not ${values['tor-control']}`);
    tor = await TorManager.attach({
      dataDir,
      controlHost: match[1]!,
      controlPort: Number(match[2]),
      ...(values['tor-cookie'] ? { cookieFile: values['tor-cookie'] } : {}),
      ...(values['tor-password'] ? { password: values['tor-password'] } : {}),
      log: (line) => print(`  tor: ${line}`),
    });
    print(`  tor       attached to ${values['tor-control']}`);
  } else {
    const extra = values['torrc-extra']
      ? (await readFile(values['torrc-extra'], 'utf8')).split('\n').filter((l) => l.trim())
      : [];
    tor = await TorManager.start({
      dataDir,
      ...(values['tor-path'] ? { torPath: values['tor-path'] } : {}),
      extraTorrcLines: extra,
      log: (line) => print(`  tor: ${line}`),
    });
    print(`  tor       started (pid ${tor.pid}); its log: ${tor.logFile}`);
  }
  let shown = -1;
  tor.on('bootstrap', (status) => {
    if (status.progress === shown) return;
    shown = status.progress;
    print(`  tor       ${String(status.progress).padStart(3)}% ${status.summary}`);
  });
  try {
    await tor.waitForBootstrap();
  } catch (error) {
    await tor.stop();
    throw error;
  }
  return tor;
}
