// test/types — a typecheck fixture (`npm run typecheck`, never run): a console command renamed on one end only fails
// to compile. Every `@ts-expect-error` below must stay an error, or the typecheck fails with "unused directive".
import type { StationLink } from '../../renderer/adapters/stationLink';
import type { ConsoleHandlers } from '../../shared/consoleContract';

// --- the console's end: renderer/adapters/stationLink.ts ---
declare const link: StationLink;

export async function consoleEnd(): Promise<void> {
  const ok = await link.call('admin:rotate', { id: 'T-1' });
  if (ok.ok) ok.token satisfies string;
  // @ts-expect-error a misspelled command
  await link.call('acknowledgee', { incidentId: '20260101-0001' });
  // @ts-expect-error the request of another command (note needs its text)
  await link.call('note', { incidentId: '20260101-0001' });
  // @ts-expect-error a value the command does not take
  await link.call('progress', { incidentId: '20260101-0001', unitId: 'U-1', state: 'arrived' });
}

// --- the core's end: main/gateway/gateway.ts builds its handler table `satisfies ConsoleHandlers` ---
declare const table: ConsoleHandlers;
const { acknowledge, ...others } = table;

export const complete = { ...others, acknowledge } satisfies ConsoleHandlers;
// @ts-expect-error a misspelled command (and so the real one is missing)
export const misspelled = { ...others, acknowledgee: acknowledge } satisfies ConsoleHandlers;
// @ts-expect-error a command without a handler
export const missing = { ...others } satisfies ConsoleHandlers;
// @ts-expect-error an answer of the wrong type (admin:rotate answers with the new token)
export const wrongAnswer = { ...table, 'admin:rotate': () => ({ ok: true as const }) } satisfies ConsoleHandlers;
