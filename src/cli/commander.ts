// commander, the CLI's parser, for every command module (loaded through require(): see ../commonjs.ts).
import { requireCommonJs } from '../commonjs.ts';

export const { Command, CommanderError, Option } = requireCommonJs<typeof import('commander')>('commander');
export type Command = import('commander').Command;
export type CommanderError = import('commander').CommanderError;
export type Option = import('commander').Option;
