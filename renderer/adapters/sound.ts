// renderer/ (adapter) — alert sounds through Howler. Components call startAlarm/stop; nobody else sees a Howl.
import { Howl, Howler } from 'howler';
import type { AlertTone } from '../../shared/consoleView';
import { DEFAULT_VOLUMES, VOLUME_FLOORS, type Volumes } from '../../shared/stationSettings';

export type SoundState = 'idle' | 'playing' | 'blocked';
/** The data's alert tones, and the console's own: `link`, the link to the station is lost (its own sound, not the alarm's). */
export type ConsoleTone = AlertTone | 'link';

export interface Sound {
  /** Loops the tone (chosen from the data by shared/consoleView.ts alertFor) until stop(); `urgent` plays it faster and louder (an escalated alarm). */
  start(tone: ConsoleTone, urgent?: boolean): void;
  urgent(): boolean;
  stop(): void;
  state(): SoundState;
  /** The tone requested now, if any. */
  tone(): ConsoleTone | undefined;
  /** The station's volumes per class, 0–100 (settings); each is held at its floor (VOLUME_FLOORS) at least. */
  setVolumes(v: Volumes): void;
  /** The volume (0–1) a tone plays at now. */
  volume(tone: ConsoleTone): number;
  /** Resume audio after a user gesture when the browser blocked autoplay. */
  unlock(): void;
  subscribe(fn: () => void): () => void;
}

export function createSound(baseUrl: string): Sound {
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((f) => f());
  let volumes: Volumes = { ...DEFAULT_VOLUMES };
  const howls: Record<ConsoleTone, Howl> = {
    alarm: new Howl({ src: [`${baseUrl}sounds/alarm.wav`], loop: true, volume: volumes.alarm / 100, preload: true }),
    drill: new Howl({ src: [`${baseUrl}sounds/drill.wav`], loop: true, volume: volumes.drill / 100, preload: true }),
    fault: new Howl({ src: [`${baseUrl}sounds/fault.wav`], loop: true, volume: volumes.fault / 100, preload: true }),
    link: new Howl({ src: [`${baseUrl}sounds/link.wav`], loop: true, volume: volumes.link / 100, preload: true }),
  };
  let current: ConsoleTone | undefined;
  let isUrgent = false;
  for (const h of Object.values(howls)) {
    h.on('play', notify);
    h.on('stop', notify);
    h.on('playerror', notify);
    h.on('unlock', notify);
    h.on('loaderror', (_id, err) => {
      console.error('sound: could not load alert sound:', err);
      notify();
    });
  }
  // The context's state tells whether the sound is really audible, not only "requested".
  const poll = setInterval(() => notify(), 1000);
  void poll;

  /** An escalated alarm plays at full volume, whatever the setting. */
  const volumeOf = (tone: ConsoleTone): number => (tone === 'alarm' && isUrgent ? 1 : Math.max(volumes[tone], VOLUME_FLOORS[tone]) / 100);

  const audible = (): boolean => Howler.ctx === undefined || Howler.ctx === null || Howler.ctx.state === 'running';

  return {
    start(tone, urgent = false) {
      if (urgent !== isUrgent) {
        isUrgent = urgent;
        howls.alarm.rate(urgent ? 1.5 : 1);
        howls.alarm.volume(volumeOf('alarm'));
        notify();
      }
      // One looping instance per tone: Howler queues play() while loading, so never call it twice.
      if (current === tone) return;
      if (current) howls[current].stop();
      current = tone;
      howls[tone].play();
      notify();
    },
    setVolumes(v) {
      volumes = { ...v };
      for (const tone of Object.keys(howls) as ConsoleTone[]) howls[tone].volume(volumeOf(tone));
      notify();
    },
    volume(tone) {
      return volumeOf(tone);
    },
    stop() {
      if (current) howls[current].stop();
      current = undefined;
      notify();
    },
    state() {
      if (!current) return 'idle';
      return howls[current].playing() && audible() ? 'playing' : 'blocked';
    },
    tone() {
      return current;
    },
    urgent() {
      return current === 'alarm' && isUrgent;
    },
    unlock() {
      void Howler.ctx?.resume?.().then(notify);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}
