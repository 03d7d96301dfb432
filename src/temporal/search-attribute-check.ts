import type { NativeConnection } from '@temporalio/worker';
import { cliTypeName, searchAttributes } from './names.js';
import { NamespaceNotSetUp } from './namespace-not-set-up.js';

/** The server's IndexedValueType (temporal.api.enums.v1, wire values) of the types ops uses. */
const INDEXED_VALUE_TYPE: Record<string, number> = { KEYWORD: 2, KEYWORD_LIST: 7 };

/**
 * What is wrong with the namespace's custom search attributes for ops, in one line with the
 * commands that mend it; undefined when ops' five are there with their types. `registered` maps
 * names to the server's IndexedValueType.
 */
export function searchAttributeProblem(namespace: string, registered: Record<string, number>): string | undefined {
  // Each as the server lists it (its IndexedValueType) and as the `temporal` CLI spells its type.
  const wanted = Object.values(searchAttributes).map((key) => ({ name: key.name, indexed: INDEXED_VALUE_TYPE[key.type], cli: cliTypeName(key.type) }));
  const missing = wanted.filter((w) => registered[w.name] === undefined);
  const mistyped = wanted.filter((w) => registered[w.name] !== undefined && registered[w.name] !== w.indexed);
  if (missing.length === 0 && mistyped.length === 0) return undefined;
  const problems = [
    ...(missing.length > 0 ? [`has no ${missing.map((w) => `${w.name} (${w.cli})`).join(', ')}`] : []),
    ...mistyped.map((w) => `has ${w.name} with another type than ${w.cli}`),
  ];
  const byType = new Map<string, string[]>();
  for (const w of missing) byType.set(w.cli, [...(byType.get(w.cli) ?? []), w.name]);
  const commands = [...byType].map(([cli, names]) => `temporal operator search-attribute create --namespace ${namespace} ${names.map((n) => `--name ${n}`).join(' ')} --type ${cli}`);
  const mend = commands.length > 0 ? `; register them once: ${commands.join(' && ')}` : '';
  return `namespace "${namespace}" ${problems.join(' and ')}: every ops run sets them, and the server fails a run that sets one it does not know${mend}`;
}

/**
 * Refuses to start a worker on a namespace without ops' search attributes: its runs would fail
 * every workflow task and wait forever, with nothing but the worker's log to tell. A server that
 * does not let this connection list them (an API key without the right) is not checked.
 */
export async function checkSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  let registered: Record<string, number>;
  try {
    const response = await connection.operatorService.listSearchAttributes({ namespace });
    registered = Object.fromEntries(Object.entries(response.customAttributes ?? {}).map(([name, type]) => [name, Number(type)]));
  } catch {
    return;
  }
  const problem = searchAttributeProblem(namespace, registered);
  if (problem) throw new NamespaceNotSetUp(problem);
}
