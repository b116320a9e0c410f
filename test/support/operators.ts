// test/ — the operators every unit test acts as, one per role, so tests read the same everywhere.
import type { OperatorRef } from '../../shared/events';

export const officer: OperatorRef = { username: 'wang', displayName: '王警官', role: 'officer' };
export const chief: OperatorRef = { username: 'zhang', displayName: '张所长', role: 'chief' };
export const trainer: OperatorRef = { username: 'liu', displayName: '刘教官', role: 'trainer' };
export const admin: OperatorRef = { username: 'root', displayName: '管理员', role: 'admin' };
