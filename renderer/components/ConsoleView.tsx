// renderer/ — the duty console: header, unacknowledged banner, the alarm queue beside the map.
import { useCallback, useMemo, useState, type UIEvent } from 'react';
import { alarmQueue, awaitsAcknowledgement, entryId, faultsToList, isAlarming, isOverdue, mostUrgentAlarm, RESOLVED_LINGER_MS } from '../../shared/consoleView';
import { openFaults } from '../../shared/incidents';
import type { School, Terminal } from '../../shared/model';
import { useI18n } from '../i18n';
import { useLiveQueue } from './liveQueue';
import { getStore, type ConsoleState } from '../store';
import { clockTime, useNow } from '../time';
import { AdminView } from './AdminView';
import { DeviceHealthView } from './DeviceHealthView';
import { FaultList } from './FaultList';
import { TestStrip } from './TestStrip';
import { MutedFor, Shortcuts } from './Shortcuts';
import { ThemeToggle } from './ThemeToggle';
import { IncidentCard } from './IncidentCard';
import { IncidentPanel } from './IncidentPanel';
import { LinkLostBanner, LogoutButton } from './LinkAlerts';
import { StationMap } from './map/StationMap';
import { TrainingView } from './TrainingView';
import { training as trainingControl, useTraining } from '../training';
import { HistoryView } from './HistoryView';
import { PlanBoardView } from './PlanBoardView';
import { StatsView } from './StatsView';
import type { StatsDrill } from './statsDrill';
import { TodayList } from './TodayList';
import { useThrottled } from './throttled';
import { filterReference, inStationFilter, seesStations, stationNamer } from './stationView';
import type { ReferenceData } from '../../shared/model';

/**
 * The county command view's station filter (issue 15): every station, or one; the queue, the map, the device lists,
 * history, statistics and board follow it. A station's console sees one station and shows its name instead.
 */
function StationFilter({ reference, value }: { reference: ReferenceData; value: string | undefined }) {
  const { t, name } = useI18n();
  const chosen = value === undefined ? undefined : reference.stations?.find((s) => s.id === value);
  return (
    <select
      className="station-filter"
      data-testid="station-filter"
      aria-label={t('stationFilter')}
      // The select is narrow in the header: its title names the station chosen whole.
      title={chosen ? `${t('stationFilter')}: ${name(chosen)}` : t('stationFilter')}
      value={value === undefined ? '' : `#${value}`}
      onChange={(e) => getStore().setStationFilter(e.target.value === '' ? undefined : e.target.value.slice(1))}
    >
      <option value="">{t('allStations')}</option>
      {(reference.stations ?? []).map((s) => (
        // '#' before the id: the empty value is every station.
        <option key={s.id} value={`#${s.id}`}>
          {name(s)}
        </option>
      ))}
    </select>
  );
}

/** Cards of the queue shown whole at first; the rest are their <li> with one line until the officer scrolls near. */
const QUEUE_WINDOW = 24;
/** Less than any card's height: the window reaches past what can be on screen. */
const CARD_MIN_PX = 120;

/**
 * How many cards from the top are shown whole with the queue scrolled to `scrollTop`: what fits in the view and
 * as much again below it, in steps of 16 (scrolling re-renders the queue only when a step is crossed).
 */
function queueWindowEnd(scrollTop: number, clientHeight: number): number {
  const rows = Math.ceil((Math.max(0, scrollTop) + 2 * Math.max(0, clientHeight)) / CARD_MIN_PX);
  return Math.max(QUEUE_WINDOW, Math.ceil(rows / 16) * 16);
}

/** How often, at most, the map follows the queue (see `mapFacts`). */
const MAP_FOLLOW_MS = 250;

/** The big clock: the only part of the header that ticks. */
function HeaderClock() {
  const now = useNow(1000);
  return (
    <div className="clock" data-testid="clock">
      {clockTime(now)}
    </div>
  );
}

export function ConsoleView({ state, onToggleLang }: { state: ConsoleState; onToggleLang: () => void }) {
  const { t, c, lang } = useI18n();
  const [selected, setSelected] = useState<string>();
  const [tab, setTab] = useState<'console' | 'devices' | 'stats' | 'history' | 'board' | 'training' | 'admin'>('console');
  // A scenario made from History (an incident or a page, replayed) for the training tab's editor.
  const [trainingSeed, setTrainingSeed] = useState<{ n: number; text: string }>();
  const training = useTraining();
  // A figure of the statistics opened in History (its filter); the History tab's own button opens it unfiltered.
  const [drill, setDrill] = useState<{ n: number; drill: StatsDrill }>();
  // 接警 opens the alarm and moves the focus into its panel (by mouse or keyboard): a counter the panel watches.
  const [panelFocus, setPanelFocus] = useState(0);
  // The queue's window (QUEUE_WINDOW): how many cards are shown whole, following the queue's scroll position.
  const [windowEnd, setWindowEnd] = useState(QUEUE_WINDOW);
  const onQueueScroll = useCallback((e: UIEvent<HTMLElement>) => {
    const el = e.currentTarget;
    setWindowEnd(queueWindowEnd(el.scrollTop, el.clientHeight));
  }, []);
  // Stable, so the queue's memoized cards are not all rendered again for each new alarm.
  const taken = useCallback((id: string): void => {
    setSelected(id);
    setPanelFocus((n) => n + 1);
  }, []);
  const schools = useMemo(() => new Map<string, School>((state.reference?.schools ?? []).map((s) => [s.id, s])), [state.reference]);
  const terminals = useMemo(() => new Map<string, Terminal>((state.reference?.terminals ?? []).map((x) => [x.deviceId, x])), [state.reference]);
  const faults = useMemo(() => openFaults(state.station), [state.station]);
  const listedFaults = useMemo(() => faultsToList(state.station), [state.station]);
  const testOverdue = useMemo(() => new Set(faults.filter((f) => f.kind === 'test_overdue').map((f) => f.deviceId)), [faults]);
  const filter = state.stationFilter;
  const allQueue = useLiveQueue(
    useMemo(() => alarmQueue(state.station, state.volatile), [state.station, state.volatile]),
    state.settings.resolvedLingerMs ?? RESOLVED_LINGER_MS,
  );
  // The county view's filter, by school (a station's console has none): the queue (and so the map's alarms), tests
  // today, the today list, device faults and health follow it.
  const inFilter = useMemo(
    () =>
      filter === undefined ? undefined : (schoolId: string | undefined) => inStationFilter(schoolId === undefined ? undefined : schools.get(schoolId), filter),
    [filter, schools],
  );
  const queue = useMemo(() => (inFilter ? allQueue.filter((i) => inFilter(i.schoolId)) : allQueue), [allQueue, inFilter]);
  const ofFilter = useCallback(
    <T extends { deviceId: string }>(xs: T[]): T[] => (inFilter ? xs.filter((x) => inFilter(terminals.get(x.deviceId)?.schoolId)) : xs),
    [inFilter, terminals],
  );
  const shownFaults = useMemo(() => ofFilter(listedFaults), [ofFilter, listedFaults]);
  const shownOpenFaults = useMemo(() => ofFilter(faults), [ofFilter, faults]);
  const shownHealth = useMemo(() => ofFilter(state.health), [ofFilter, state.health]);
  const stationOfSchool = useMemo(() => stationNamer(state.reference, lang === 'en'), [state.reference, lang]);
  const county = seesStations(state.reference);
  // The board and the map show the filtered station's schools, posts, rooms and units (the legend counts them).
  const filteredReference = useMemo(() => filterReference(state.reference, filter), [state.reference, filter]);
  const urgent = useMemo(() => {
    const u = mostUrgentAlarm(queue);
    return u && entryId(u);
  }, [queue]);
  const awaiting = queue.filter(awaitsAcknowledgement).length;
  const alarmed = useMemo(() => queue.filter(isAlarming).map(entryId), [queue]);
  // The map follows the queue at most every MAP_FOLLOW_MS: a single alarm at once, a storm's alarms a few times a
  // second together. The queue, the banner and the sound are where an alarm is announced; the map's red dots and
  // its move to the most urgent alarm may trail a burst by that much, and each redraw of the map costs every alarm.
  const mapFacts = useThrottled(
    useMemo(() => ({ queue, alarmed, urgent, station: state.station }), [queue, alarmed, urgent, state.station]),
    MAP_FOLLOW_MS,
  );
  const canAck = getStore().canAcknowledge();
  const overdue = queue.filter(isOverdue).length;
  const selectedIncident = selected ? state.station.incidents.get(selected) : undefined;
  const soundText =
    state.mutedUntil !== undefined ? (
      <MutedFor until={state.mutedUntil} />
    ) : state.sound === 'playing' ? (
      state.soundTone === 'fault' ? (
        t('soundFault')
      ) : state.soundTone === 'link' ? (
        t('soundLink')
      ) : state.soundTone === 'drill' ? (
        t('soundDrill')
      ) : (
        t('soundPlaying')
      )
    ) : state.sound === 'blocked' ? (
      t('soundBlocked')
    ) : (
      t('soundIdle')
    );

  return (
    <div className={`console ${awaiting > 0 ? 'alarming' : ''}`}>
      <header className="topbar">
        <div className="title">
          <strong>{t('appTitle')}</strong>
          {county && state.reference ? (
            <span className="station county">
              <span data-testid="station-name">{t('countyView')}</span>
              <StationFilter reference={state.reference} value={filter} />
            </span>
          ) : (
            <span className="station" data-testid="station-name">
              {state.reference?.stationName}
            </span>
          )}
        </div>
        <nav className="tabs">
          <button className={tab === 'console' ? 'active' : ''} data-testid="tab-console" onClick={() => setTab('console')}>
            {t('tabConsole')}
          </button>
          <button className={tab === 'devices' ? 'active' : ''} data-testid="tab-devices" onClick={() => setTab('devices')}>
            {t('tabDevices')}
            {shownOpenFaults.length > 0 && <span className="badge">{shownOpenFaults.length}</span>}
          </button>
          {getStore().canViewStats() && (
            <button className={tab === 'stats' ? 'active' : ''} data-testid="tab-stats" onClick={() => setTab('stats')}>
              {t('tabStats')}
            </button>
          )}
          {getStore().canViewStats() && (
            <button className={tab === 'board' ? 'active' : ''} data-testid="tab-board" onClick={() => setTab('board')}>
              {t('tabBoard')}
            </button>
          )}
          {getStore().canViewHistory() && (
            <button className={tab === 'history' ? 'active' : ''} data-testid="tab-history" onClick={() => (setDrill(undefined), setTab('history'))}>
              {t('tabHistory')}
            </button>
          )}
          {/* A duty officer's console shows the training tab only while a run sent to it is there: trainers and the chief always. */}
          {getStore().canTrain() && (getStore().canAssignTraining() || training.run) && (
            <button
              className={`${tab === 'training' ? 'active' : ''} ${training.run && !training.score ? 'training-on' : ''}`}
              data-testid="tab-training"
              onClick={() => setTab('training')}
            >
              {t('tabTraining')}
            </button>
          )}
          {getStore().canAdminister() && (
            <button className={tab === 'admin' ? 'active' : ''} data-testid="tab-admin" onClick={() => setTab('admin')}>
              {t('tabAdmin')}
            </button>
          )}
        </nav>
        <HeaderClock />
        <div className={`conn ${state.online ? 'online' : 'offline'}`} data-testid="link-state">
          {state.online ? t('connected') : t('disconnected')}
        </div>
        <button
          className={`sound ${state.sound} ${state.soundTone ?? ''}`}
          data-testid="sound-state"
          data-alarm-volume={Math.round(getStore().soundVolume('alarm') * 100)}
          data-sound={state.sound}
          data-tone={state.soundTone ?? ''}
          data-urgent={String(state.soundUrgent ?? false)}
          onClick={() => getStore().unlockSound()}
        >
          {soundText}
        </button>
        <ThemeToggle />
        <Shortcuts queue={queue} selected={selected} onSelect={setSelected} onTaken={taken} onClosePanel={() => setSelected(undefined)} />
        {/* Who is logged in first: on a narrow header the role is what the ellipsis hides. */}
        <div className="operator" title={state.operator ? `${state.operator.displayName} · ${c.roles[state.operator.role]}` : undefined}>
          {state.operator ? `${state.operator.displayName} · ${c.roles[state.operator.role]}` : ''}
        </div>
        <button className="plain" onClick={onToggleLang}>
          {t('language')}
        </button>
        {/* Only a console that takes alarms leaves them unattended by logging out (an admin's or a trainer's does not). */}
        <LogoutButton awaiting={canAck ? awaiting : 0} />
      </header>
      <LinkLostBanner lost={state.linkLost} />
      {overdue > 0 && (
        <div className="banner escalated" role="alert" data-testid="escalation-banner">
          <span>{t('escalationBanner', { n: overdue })}</span>
        </div>
      )}
      {awaiting > 0 && overdue === 0 && (
        <div className="banner" role="alert" data-testid="alarm-banner">
          <span>{t('banner', { n: awaiting })}</span>
        </div>
      )}
      {training.offered && (
        <div className="banner training-banner" role="status" data-testid="training-offered">
          <span>{t('trainOfferedBanner', { who: training.offered.assignedBy.displayName, name: training.offered.scenario.name })}</span>{' '}
          <button
            type="button"
            data-testid="training-accept"
            onClick={() => {
              trainingControl().acceptOffer();
              setTab('training');
            }}
          >
            {t('trainAccept')}
          </button>{' '}
          <button type="button" className="plain" data-testid="training-decline" onClick={() => trainingControl().declineOffer()}>
            {t('trainDecline')}
          </button>
        </div>
      )}
      {training.assignedBy && training.run && !training.score && tab !== 'training' && (
        <div className="banner training-banner" role="status" data-testid="training-assigned">
          <span>{t('trainAssignedBanner', { who: training.assignedBy.displayName, name: training.run.scenario.name })}</span>{' '}
          <button type="button" data-testid="training-open" onClick={() => setTab('training')}>
            {t('trainOpen')}
          </button>
        </div>
      )}
      {state.journalProblems.length > 0 && (
        <div className="banner warn" role="status">
          {t('journalWarning', { p: state.journalProblems.join('; ') })}
        </div>
      )}
      <div className="body">
        <section className="queue" aria-label={t('queueTitle')}>
          <div className="queue-list" data-testid="queue-list" onScroll={onQueueScroll}>
            <h2>
              {t('queueTitle')} <span className="count">{t('unacknowledgedCount', { n: awaiting })}</span>
            </h2>
            {queue.length === 0 && <p className="empty">{t('noAlarms')}</p>}
            <ul>
              {queue.map((i, index) => {
                const id = entryId(i);
                return (
                  <IncidentCard
                    key={id}
                    incident={i}
                    school={schools.get(i.schoolId)}
                    station={stationOfSchool?.(i.schoolId)}
                    flash={index < 4}
                    targets={state.reference?.targets}
                    canAck={canAck}
                    selected={selected === id}
                    onSelect={setSelected}
                    onTaken={taken}
                    full={index < windowEnd || selected === id}
                  />
                );
              })}
            </ul>
          </div>
          <TestStrip station={state.station} schools={schools} timeZone={state.settings.timeZone} only={inFilter} />
          <TodayList station={state.station} timeZone={state.settings.timeZone} schools={schools} selected={selected} onSelect={setSelected} only={inFilter} />
          <FaultList faults={shownFaults} schools={schools} terminals={terminals} />
        </section>
        {tab === 'console' && selectedIncident && (
          <IncidentPanel
            incident={selectedIncident}
            reference={state.reference}
            station={state.station}
            units={state.units}
            operator={state.operator}
            unitStaleMs={state.settings.unitStaleMs}
            focusRequest={panelFocus}
            onClose={() => setSelected(undefined)}
          />
        )}
        {tab === 'console' && (
          <StationMap
            reference={filteredReference}
            incidents={mapFacts.queue}
            alarmed={mapFacts.alarmed}
            urgent={mapFacts.urgent}
            selected={selected}
            units={state.units}
            station={mapFacts.station}
            health={shownHealth}
            unitStaleMs={state.settings.unitStaleMs}
          />
        )}
        {tab === 'devices' && <DeviceHealthView health={shownHealth} schools={schools} testOverdue={testOverdue} />}
        {tab === 'stats' && (
          <StatsView
            reference={state.reference}
            stationFilter={filter}
            onDrill={(d) => (setDrill((o) => ({ n: (o?.n ?? 0) + 1, drill: d })), setTab('history'))}
          />
        )}
        {tab === 'history' && (
          <HistoryView
            key={drill?.n ?? 0}
            reference={state.reference}
            stationFilter={filter}
            drill={drill?.drill}
            onReplay={getStore().canTrain() ? (text) => (setTrainingSeed((o) => ({ n: (o?.n ?? 0) + 1, text })), setTab('training')) : undefined}
          />
        )}
        {tab === 'training' && <TrainingView key={trainingSeed?.n ?? 0} reference={state.reference} seed={trainingSeed?.text} />}
        {tab === 'board' && (
          <PlanBoardView reference={filteredReference} health={state.health} testOverdue={testOverdue} semesters={state.settings.semesters} />
        )}
        {tab === 'admin' && <AdminView reference={state.reference} health={state.health} />}
      </div>
    </div>
  );
}
