// renderer/ — the strings of the plan board (zh-CN first, English second); spread into the one catalogue per language
// of i18n.ts.

export const boardZh = {
  tabBoard: '规划',
  boardTitle: '三年规划达标情况',
  boardSemester: '{from} 至 {to}',
  boardSemesters: { spring: '春季学期', autumn: '秋季学期' } as Record<string, string>,
  boardOnlyShort: '只看未达标学校',
  boardSchool: '学校',
  boardNetworked: '一键报警联网（在线/终端）',
  boardNotNetworked: '未联网',
  boardLastTest: '最近测试按键',
  boardNever: '从未',
  boardDrills: '本学期演练（≥ {n} 次）',
  boardPosts: '护学岗（早晚高峰）',
  boardCovered: '覆盖',
  boardNotCovered: '未覆盖',
  boardPriority: '优先受理（接警达标率）',
  boardNoAlarm: '无报警',
  boardTotals: '达标学校 / 全部 {n} 所',
  boardNote:
    '演练按本学期的演练报警计；学校自行登记的演练、警校联合检查与隐患整改尚未在本系统登记。在线为此刻状态；测试按键从未按过或已逾期（与设备状态页同一规则）为未达标。',
  boardLoading: '正在计算…',
};

export const boardEn: typeof boardZh = {
  tabBoard: 'Plan',
  boardTitle: 'Three-year plan: where each school stands',
  boardSemester: '{from} to {to}',
  boardSemesters: { spring: 'Spring semester', autumn: 'Autumn semester' },
  boardOnlyShort: 'Only schools below target',
  boardSchool: 'School',
  boardNetworked: 'Alarm terminal networked (online/terminals)',
  boardNotNetworked: 'not networked',
  boardLastTest: 'Last test press',
  boardNever: 'never',
  boardDrills: 'Drills this semester (≥ {n})',
  boardPosts: 'Guard post (both peaks)',
  boardCovered: 'covered',
  boardNotCovered: 'not covered',
  boardPriority: 'Priority response (acknowledged within target)',
  boardNoAlarm: 'no alarm',
  boardTotals: 'schools meeting it / all {n}',
  boardNote:
    'Drills are counted from this semester’s drill alarms; drills a school records itself, police–education inspections and hidden-danger follow-up are not recorded in this system yet. Online is now; a terminal never test-pressed, or overdue by the device-health rule, is below target.',
  boardLoading: 'Computing…',
};
