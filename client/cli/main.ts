#!/usr/bin/env node
import { CommanderError } from 'commander';
import { ApiError } from './api-client';
import { buildCli } from './program';

const program = buildCli({
  out: (text) => process.stdout.write(text),
  clear: () => {
    if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
  },
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  env: process.env,
});

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof CommanderError) process.exit(error.exitCode);
  if (error instanceof ApiError) {
    console.error(`error: ${error.message} (HTTP ${error.status}${error.problemType ? `, ${error.problemType}` : ''})`);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
