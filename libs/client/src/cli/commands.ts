import { type Command } from './command-helpers';
import { OVERVIEW_COMMANDS } from './overview-commands';
import { RUN_COMMANDS } from './run-commands';
import { TASK_COMMANDS } from './task-commands';

export {
  CliFailure,
  type Command,
  type CommandInput,
  type CommandResult,
  type OptionHelp,
  scheduleOf,
} from './command-helpers';

/** Every command of the CLI, in the order `--help` lists them. */
export const COMMANDS: Command[] = [...TASK_COMMANDS, ...RUN_COMMANDS, ...OVERVIEW_COMMANDS];
