import { TaskCenterClient } from '@task-center/client/http';
import { type Whoami } from '@task-center/client/types';
import { apiBaseOf } from './lib/routes';

const KEY = 'task-center.api-key';

/** The API key for this tab: in sessionStorage (gone with the tab), sent as a header only. */
export const storedKey = (): string | undefined => sessionStorage.getItem(KEY) ?? undefined;
export const storeKey = (key: string): void => sessionStorage.setItem(KEY, key);
export const forgetKey = (): void => sessionStorage.removeItem(KEY);

export function clientFor(apiKey: string | undefined): TaskCenterClient {
  return new TaskCenterClient({ baseUrl: apiBaseOf(window.location), apiKey, timeoutMs: 15_000 });
}

/** Who the dashboard talks to the API as: its client and what the key may do. */
export interface Session {
  api: TaskCenterClient;
  whoami: Whoami;
  /** False with a read key: every write action is hidden (the server refuses it anyway). */
  canWrite: boolean;
  /** Bulk actions by filter and redrive by filter. */
  isAdmin: boolean;
  signOut: () => void;
}

export function sessionOf(api: TaskCenterClient, whoami: Whoami, signOut: () => void): Session {
  return {
    api,
    whoami,
    canWrite: whoami.scope !== 'read',
    isAdmin: whoami.scope === 'admin',
    signOut,
  };
}
