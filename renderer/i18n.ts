// renderer/ — every UI string, in one catalogue per language (zh-CN first, English second).
import { createContext, useContext } from 'react';
import type { AlarmKind, UnitState } from '../shared/protocol';
import type { Role } from '../shared/events';
import type { SchoolType } from '../shared/model';

const zh = {
  appTitle: '校园报警接处警台',
  login: '登录',
  loggingIn: '正在登录…',
  username: '用户名',
  password: '密码',
  logout: '退出',
  loginHint: '请使用本人账号登录；每次接警都以登录人名义记录。',
  connected: '已连接',
  disconnected: '与接警中心断开，正在重连…',
  queueTitle: '报警队列',
  unacknowledgedCount: '未接警 {n} 起',
  noAlarms: '当前无报警',
  banner: '⚠ 有 {n} 起报警尚未接警',
  acknowledge: '接警',
  acknowledging: '正在接警…',
  acknowledgedBy: '已接警：{who}',
  ackInterval: '接警用时 {s} 秒',
  receivedAt: '收到',
  waited: '已等待',
  drill: '演练',
  test: '测试',
  notDurable: '⚠ 尚未存储，终端将重发',
  noteLabel: '备注',
  phone: '电话',
  soundPlaying: '警报声播放中',
  soundBlocked: '警报声被浏览器阻止 — 点击此处启用声音',
  soundIdle: '警报声待命',
  journalWarning: '⚠ 报警日志在启动时发现问题：{p}',
  cannotAck: '当前角色不能接警',
  unknownSchool: '未登记学校',
  language: 'English',
  mapLegendSchool: '学校',
  mapLegendAlarm: '报警中',
  mapLegendPost: '护学岗',
  mapLegendRoom: '警务室/岗亭',
  mapLegendUnit: '巡逻单元',
  errorPrefix: '错误',
  cancelRequested: '学校请求撤销：{reason}（{time}）— 请回拨学校确认',
  faultsTitle: '设备故障',
  faultOffline: '终端离线',
  faultTamper: '防拆报警（机箱被打开）',
  faultSince: '自 {time}',
  faultAck: '确认故障',
  faultAckedBy: '已确认：{who}',
  tabConsole: '接警台',
  tabDevices: '设备状态',
  devDevice: '终端',
  devSchool: '学校',
  devState: '状态',
  devSince: '状态起始',
  devLastHeartbeat: '最近心跳',
  devLastTest: '最近测试按键',
  devSkew: '时钟偏差',
  devBattery: '电量',
  devRefusals: '拒绝次数',
  devOnline: '在线',
  devOffline: '离线',
  devDisabled: '已停用',
  devConnected: '已连接',
  devNotConnected: '未连接',
  devSkewFlag: '偏差过大',
  devSummary: '终端 {n} 台 · 离线 {off} 台 · 时钟偏差过大 {skew} 台',
  never: '—',
  unitStale: '位置过时',
  unitStates: { available: '空闲', en_route: '在途', on_scene: '到场', busy: '忙碌', off_duty: '下班' } satisfies Record<UnitState, string>,
  kinds: { panic: '一键报警', intrusion: '入侵', violence: '暴力', fire: '火警', medical: '医疗急救', test: '测试按键', other: '其他' } satisfies Record<AlarmKind, string>,
  roles: { officer: '值班民警', chief: '所长', trainer: '教官', admin: '管理员' } satisfies Record<Role, string>,
  schoolTypes: { primary: '小学', middle: '中学', kindergarten: '幼儿园', other: '其他学校' } satisfies Record<SchoolType, string>,
};

export type Catalogue = typeof zh;

const en: Catalogue = {
  appTitle: 'School Alarm Console',
  login: 'Log in',
  loggingIn: 'Logging in…',
  username: 'Username',
  password: 'Password',
  logout: 'Log out',
  loginHint: 'Log in with your own account: every acknowledgement is recorded in your name.',
  connected: 'Connected',
  disconnected: 'Disconnected from the station, reconnecting…',
  queueTitle: 'Alarm queue',
  unacknowledgedCount: '{n} unacknowledged',
  noAlarms: 'No alarms',
  banner: '⚠ {n} alarm(s) not yet acknowledged',
  acknowledge: 'Acknowledge',
  acknowledging: 'Acknowledging…',
  acknowledgedBy: 'Acknowledged by {who}',
  ackInterval: 'took {s} s',
  receivedAt: 'Received',
  waited: 'Waiting',
  drill: 'DRILL',
  test: 'TEST',
  notDurable: '⚠ Not stored yet; the terminal will resend',
  noteLabel: 'Note',
  phone: 'Phone',
  soundPlaying: 'Alarm sounding',
  soundBlocked: 'Alarm sound blocked by the browser — click here to enable',
  soundIdle: 'Alarm sound ready',
  journalWarning: '⚠ The journal had problems at start: {p}',
  cannotAck: 'Your role cannot acknowledge alarms',
  unknownSchool: 'Unregistered school',
  language: '中文',
  mapLegendSchool: 'School',
  mapLegendAlarm: 'Alarm',
  mapLegendPost: 'Guard post',
  mapLegendRoom: 'Police room / kiosk',
  mapLegendUnit: 'Patrol unit',
  errorPrefix: 'Error',
  cancelRequested: 'The school asks to cancel: {reason} ({time}) — call the school back to confirm',
  faultsTitle: 'Device faults',
  faultOffline: 'Terminal offline',
  faultTamper: 'Tamper alarm (case opened)',
  faultSince: 'since {time}',
  faultAck: 'Acknowledge fault',
  faultAckedBy: 'Seen by {who}',
  tabConsole: 'Console',
  tabDevices: 'Device health',
  devDevice: 'Terminal',
  devSchool: 'School',
  devState: 'State',
  devSince: 'Since',
  devLastHeartbeat: 'Last heartbeat',
  devLastTest: 'Last test press',
  devSkew: 'Clock skew',
  devBattery: 'Battery',
  devRefusals: 'Refusals',
  devOnline: 'online',
  devOffline: 'OFFLINE',
  devDisabled: 'disabled',
  devConnected: 'connected',
  devNotConnected: 'not connected',
  devSkewFlag: 'skewed',
  devSummary: '{n} terminals · {off} offline · {skew} with clock skew',
  never: '—',
  unitStale: 'position stale',
  unitStates: { available: 'available', en_route: 'en route', on_scene: 'on scene', busy: 'busy', off_duty: 'off duty' },
  kinds: { panic: 'Panic button', intrusion: 'Intrusion', violence: 'Violence', fire: 'Fire', medical: 'Medical', test: 'Test press', other: 'Other' },
  roles: { officer: 'Duty officer', chief: 'Station chief', trainer: 'Trainer', admin: 'Admin' },
  schoolTypes: { primary: 'Primary school', middle: 'Secondary school', kindergarten: 'Kindergarten', other: 'Other school' },
};

export type Lang = 'zh' | 'en';
export const catalogues: Record<Lang, Catalogue> = { zh, en };

type StringKey = { [K in keyof Catalogue]: Catalogue[K] extends string ? K : never }[keyof Catalogue];

export function format(template: string, params: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
}

export interface I18n {
  lang: Lang;
  c: Catalogue;
  t(key: StringKey, params?: Record<string, string | number>): string;
}

export function makeI18n(lang: Lang): I18n {
  const c = catalogues[lang];
  return { lang, c, t: (key, params) => format(c[key], params) };
}

export const I18nContext = createContext<I18n>(makeI18n('zh'));
export const useI18n = (): I18n => useContext(I18nContext);
