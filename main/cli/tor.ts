// Which tor a runner uses, from the options (main/app/tor-config.ts explains the modes):
//   --direct                    off
//   -a SELF.onion -c socks5h:…  external: a tor you run yourself, with your own onion service
//   --tor-control HOST:PORT     attached: an existing tor (system tor, Tor Browser)
//   otherwise                   managed: a tor of the runner's own, in DATA/tor
import { readFile } from 'node:fs/promises';
import type { TorConfig } from '../app/tor-config';
import { UsageError, type Values } from './options';

export async function torConfigOf(values: Values): Promise<TorConfig> {
  if (values.direct) return { mode: 'off' };
  if (values.address && values.proxy && !values['tor-control']) {
    return { mode: 'external', proxy: values.proxy, self: values.address };
  }
  if (values['tor-control']) {
    const match = /^([\w.-]+|\[[0-9a-f:]+\]):(\d{1,5})$/i.exec(values['tor-control']);
    if (!match) throw new UsageError(`--tor-control takes HOST:PORT, not ${values['tor-control']}`);
    return {
      mode: 'attached',
      controlHost: match[1]!,
      controlPort: Number(match[2]),
      ...(values['tor-cookie'] ? { cookieFile: values['tor-cookie'] } : {}),
      ...(values['tor-password'] ? { password: values['tor-password'] } : {}),
    };
  }
  const extra = values['torrc-extra']
    ? (await readFile(values['torrc-extra'], 'utf8')).split('\n').filter((l) => l.trim())
    : [];
  return {
    mode: 'managed',
    ...(values['tor-path'] ? { torPath: values['tor-path'] } : {}),
    extraTorrcLines: extra,
  };
}
