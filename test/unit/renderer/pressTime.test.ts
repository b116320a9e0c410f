// test/unit/renderer — the press time (`raisedAt`, the terminal's clock) on the incident panel and the queue card
// (issue 9, finding 14: it was recorded but never shown, though docs/protocol.md §7 says the officer sees it).
// The real components are rendered with react-dom/server; only the store (sockets, Dexie, Howler need a browser)
// and the ticking clock hook are stood in for.
import { createElement, type ReactElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { fromZoned } from '../../../shared/duty';
import type { AlarmReceived } from '../../../shared/events';
import type { Incident, StationState } from '../../../shared/incidents';
import { SKEW_FLAG_MS } from '../../../shared/protocol';
import { IncidentCard } from '../../../renderer/components/IncidentCard';
import { IncidentPanel } from '../../../renderer/components/IncidentPanel';
import { I18nContext, makeI18n, type Lang } from '../../../renderer/i18n';

const RECEIVED = fromZoned(2026, 11, 30, 10, 15) + 30_000; // the station's time (Asia/Shanghai): clockTime shows 10:15:30
vi.mock('../../../renderer/store', () => ({
  getStore: () => ({ canHandle: () => true, command: async () => undefined, reportShown: () => undefined, acknowledge: async () => undefined }),
}));
vi.mock('../../../renderer/time', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../renderer/time')>()),
  useNow: () => RECEIVED + 20_000,
}));

function incident(raisedAt: number): Incident {
  return {
    id: '20261130-0001',
    alarmId: 'A-1',
    deviceId: 'T-1',
    schoolId: 'school-1',
    kind: 'panic',
    drill: false,
    raisedAt,
    receivedAt: RECEIVED,
    state: 'received',
    notes: [],
    dispatches: [],
    timeline: [{ type: 'alarm.received', at: RECEIVED, detail: 'panic' }],
    seq: 1,
  } as Incident;
}

function html(el: ReactElement, lang: Lang = 'zh'): string {
  return renderToStaticMarkup(createElement(I18nContext.Provider, { value: makeI18n(lang) }, el));
}
const panel = (raisedAt: number, lang?: Lang): string =>
  html(
    createElement(IncidentPanel, {
      incident: incident(raisedAt),
      reference: undefined,
      station: {} as StationState,
      units: [],
      operator: undefined,
      unitStaleMs: 120_000,
      onClose: () => undefined,
    }),
    lang,
  );
const card = (inc: Incident | AlarmReceived, lang?: Lang): string =>
  html(createElement(IncidentCard, { incident: inc, school: undefined, canAck: true, selected: false, onSelect: () => undefined }), lang);
/** The text of the press-time line, or undefined when there is none. */
const pressLine = (markup: string): string | undefined => /data-testid="press-time"[^>]*>([^<]*)</.exec(markup)?.[1];

describe('incident panel', () => {
  it('always shows the press time, beside the receive time; no gap text when the clocks agree', () => {
    const m = panel(RECEIVED - 1_200);
    expect(m).toContain('收到 10:15:30');
    expect(pressLine(m)).toBe('按下 10:15:28（终端时钟）');
    expect(pressLine(panel(RECEIVED - 1_200, 'en'))).toBe('Pressed 10:15:28 (terminal clock)');
  });

  it('a press long before receipt (resends, or a slow terminal clock) says by how much', () => {
    const m = panel(RECEIVED - 95_000);
    expect(pressLine(m)).toBe('按下 10:13:55（终端时钟） · 比收到早 1:35（终端重发，或终端时钟慢）');
    expect(m).toContain('data-gap-ms="95000"');
    expect(pressLine(panel(RECEIVED - 95_000, 'en'))).toBe(
      'Pressed 10:13:55 (terminal clock) · 1:35 before it was received (resent, or the terminal clock is behind)',
    );
  });

  it('a press after receipt can only be a terminal clock ahead', () => {
    expect(pressLine(panel(RECEIVED + 3_600_000 + 7_000))).toBe('按下 11:15:37（终端时钟） · 终端时钟快 1:00:07');
    expect(pressLine(panel(RECEIVED + 3_600_000 + 7_000, 'en'))).toBe('Pressed 11:15:37 (terminal clock) · terminal clock 1:00:07 ahead');
  });

  it('a terminal clock on another day shows the date, and the gap in days', () => {
    const raised = fromZoned(2020, 1, 1, 8, 0);
    const days = Math.floor((RECEIVED - raised) / 86_400_000);
    expect(pressLine(panel(raised))).toBe(`按下 2020-01-01 08:00:00（终端时钟） · 比收到早 ${days} 天（终端重发，或终端时钟慢）`);
  });

  it('the gap is notable beyond the clock-skew flag of the device view (5 s), not at it', () => {
    expect(pressLine(panel(RECEIVED - SKEW_FLAG_MS))).toBe('按下 10:15:25（终端时钟）');
    expect(pressLine(panel(RECEIVED - SKEW_FLAG_MS - 1_000))).toContain('比收到早 0:06');
  });
});

describe('queue card', () => {
  it('shows no press line when the press and the receipt agree (the card stays compact)', () => {
    const m = card(incident(RECEIVED - 800));
    expect(m).toContain('收到 10:15:30');
    expect(pressLine(m)).toBeUndefined();
  });

  it('shows the press time and the gap when they differ notably', () => {
    expect(pressLine(card(incident(RECEIVED - 95_000)))).toBe('按下 10:13:55（终端时钟） · 比收到早 1:35（终端重发，或终端时钟慢）');
    expect(pressLine(card(incident(RECEIVED + 30_000), 'en'))).toBe('Pressed 10:16:00 (terminal clock) · terminal clock 0:30 ahead');
  });

  it('also for an alarm not yet stored (volatile), from the received event itself', () => {
    const volatile: AlarmReceived = {
      type: 'alarm.received',
      at: RECEIVED,
      incidentId: '20261130-0002',
      deviceId: 'T-1',
      schoolId: 'school-1',
      alarmId: 'A-2',
      kind: 'fire',
      drill: false,
      raisedAt: RECEIVED - 60_000,
    };
    expect(pressLine(card(volatile))).toBe('按下 10:14:30（终端时钟） · 比收到早 1:00（终端重发，或终端时钟慢）');
  });
});
