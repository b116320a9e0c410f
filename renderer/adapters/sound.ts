// renderer/ (adapter) — alert sounds through Howler. Components call startAlarm/stop; nobody else sees a Howl.
import { Howl, Howler } from 'howler';
import type { AlertTone } from '../../shared/consoleView';

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
  /** Resume audio after a user gesture when the browser blocked autoplay. */
  unlock(): void;
  subscribe(fn: () => void): () => void;
}

export function createSound(baseUrl: string): Sound {
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((f) => f());
  const howls: Record<ConsoleTone, Howl> = {
    alarm: new Howl({ src: [`${baseUrl}sounds/alarm.wav`], loop: true, volume: 0.8, preload: true }),
    drill: new Howl({ src: [`${baseUrl}sounds/drill.wav`], loop: true, volume: 0.7, preload: true }),
    fault: new Howl({ src: [`${baseUrl}sounds/fault.wav`], loop: true, volume: 0.6, preload: true }),
    link: new Howl({ src: [`${baseUrl}sounds/link.wav`], loop: true, volume: 0.9, preload: true }),
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

  const audible = (): boolean => Howler.ctx === undefined || Howler.ctx === null || Howler.ctx.state === 'running';

  return {
    start(tone, urgent = false) {
      if (urgent !== isUrgent) {
        isUrgent = urgent;
        howls.alarm.rate(urgent ? 1.5 : 1);
        howls.alarm.volume(urgent ? 1 : 0.8);
        notify();
      }
      // One looping instance per tone: Howler queues play() while loading, so never call it twice.
      if (current === tone) return;
      if (current) howls[current].stop();
      current = tone;
      howls[tone].play();
      notify();
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
