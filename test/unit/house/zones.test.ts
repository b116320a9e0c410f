// test/unit/house — the folder zones of eslint.config.js (allow-lists): a file may import only what its zone
// lists. Each case lints a one-line file placed in a zone and expects the rule to refuse or allow it, so a zone
// that stops being enforced fails here, not in a review.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../../..');
const eslint = new ESLint({ cwd: root });

async function zoneErrors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (r?.messages ?? []).filter((m) => m.ruleId === 'zones/allowed').map((m) => m.message);
}

describe('folder zones', () => {
  it.each([
    ['shared/x.ts', "import fs from 'node:fs'; export const a = fs;", /may not import the package 'node:fs'/],
    ['shared/x.ts', "import { Station } from '../main/core/station'; export const a = Station;", /may not import main\/core\/station/],
    ['main/core/x.ts', "import { Server } from 'socket.io'; export const a = Server;", /may not import the package 'socket.io'/],
    ['main/core/x.ts', "import { makeRequestHandler } from '../gateway/http'; export const a = makeRequestHandler;", /may not import main\/gateway\/http/],
    ['main/x.ts', "import { app } from 'electron'; export const a = app;", /may not import the package 'electron'/],
    ['main/x.ts', "import { io } from 'socket.io-client'; export const a = io;", /may not import the package 'socket.io-client'/],
    ['main/x.ts', "import * as t from '../tools/stationCli'; export const a = t;", /may not import tools\/stationCli/],
    [
      'renderer/components/X.tsx',
      "import { connect } from '../adapters/stationLink'; export const a = connect;",
      /may not import renderer\/adapters\/stationLink/,
    ],
    ['renderer/components/X.tsx', "import { Howl } from 'howler'; export const a = Howl;", /may not import the package 'howler'/],
    ['renderer/x.ts', "import { Station } from '../main/core/station'; export const a = Station;", /may not import main\/core\/station/],
  ])('%s: %s is refused', async (file, code, message) => {
    const errors = await zoneErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it.each([
    ['shared/x.ts', "import { z } from 'zod'; import { ROLES } from './events'; export const a = [z, ROLES];"],
    ['main/core/x.ts', "import fs from 'node:fs'; import { checkEvent } from '../../shared/incidents'; export const a = [fs, checkEvent];"],
    ['main/gateway/x.ts', "import { Server } from 'socket.io'; import { Station } from '../core/station'; export const a = [Server, Station];"],
    ['main/shell/x.ts', "import { app } from 'electron'; import { startCore } from '../server'; export const a = [app, startCore];"],
    ['renderer/components/X.tsx', "import { useState } from 'react'; import { useStore } from '../store'; export const a = [useState, useStore];"],
    ['tools/x.ts', "import { io } from 'socket.io-client'; import { Registry } from '../main/core/registry'; export const a = [io, Registry];"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await zoneErrors(file, code)).toEqual([]);
  });
});
