import { KnownQueryPath, RelayJsonData } from '../types/settings';

/** The query path jsonData knows for path on upstream: an exact path, else one whose {placeholders} match. */
export function knownQueryPath(
  jd: RelayJsonData | undefined,
  path: string,
  upstream?: string
): KnownQueryPath | undefined {
  const all = (jd?.openapi?.queries ?? []).filter((k) => (k.upstream ?? '') === (upstream ?? ''));
  const clean = path.split('?')[0];
  return (
    all.find((k) => k.path === clean) ?? all.find((k) => k.path.includes('{') && templateRegExp(k.path).test(clean))
  );
}

function templateRegExp(tpl: string): RegExp {
  const parts = tpl.split(/\{[^}/]*\}/).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('[^/]+')}$`);
}
